package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CI of stop 27 (main 4cfdef2): a shutdown with no patience reported 52,001 aborted while 52,038
 * handles showed a cancellation. A worker's first poll that starts once the abort has refused
 * every spawn does not poll: it cancels its cell (LazyLink, "Abort"). The shutdown set the refusal
 * and only then read the cancellation count its "aborted" starts from, so a queued task a worker
 * took up between the two was cancelled by the abort and reported completed. Here every round
 * leaves up to 20,000 queued tasks not polled yet when the shutdown begins, the workers
 * cancelling them as fast as they can while the shutdown reads its counts; nothing cancels these
 * tasks but the abort and the stop, so the cancelled handles are the report's aborted ones (but
 * for a poll still running at the end, which the report counts aborted and which may return a
 * value). Bounded rounds; the race is not forced, the rounds make it likely (the unfixed order
 * failed in three of four runs of 300 rounds here, at rounds 44, 108 and 129).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShutdownReportCountsFirstPollsRefusedByTheAbortTest {

    private static final int ROUNDS = 600;
    private static final int WORKERS = 2;
    /** Tasks each spawner queues on its worker in one poll, before the shutdown starts. */
    private static final int QUEUED_PER_SPAWNER = 10_000;

    @Test
    void aFirstPollTheAbortRefusesIsCountedAborted() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            runRound(round);
        }
    }

    private static void runRound(int round) throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(WORKERS)
                .threadNamePrefix("first-poll-refused-").stallThreshold(Duration.ofHours(1)).build();
        List<List<JoinHandle<?>>> queued = new ArrayList<>();
        CountDownLatch allQueued = new CountDownLatch(WORKERS);
        List<JoinHandle<?>> spawners = new ArrayList<>();
        for (int s = 0; s < WORKERS; s++) {
            List<JoinHandle<?>> mine = new ArrayList<>(QUEUED_PER_SPAWNER);
            queued.add(mine);
            spawners.add(runtime.spawn(queueOnMyWorker(runtime, mine, allQueued)));
        }
        allQueued.await();
        ShutdownReport report = runtime.shutdownGracefully(Duration.ZERO);
        List<JoinHandle<?>> all = new ArrayList<>(spawners);
        queued.forEach(all::addAll);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> all.stream().allMatch(JoinHandle::isDone));
        long cancelled = all.stream().filter(JoinHandle::isCancelled).count();
        String context = "round " + round + ", " + all.size() + " handles, " + report;
        assertThat(report.liveAtStart() + report.spawnedDuringShutdown()).as(context)
                .isEqualTo(report.completed() + report.aborted());
        assertThat(cancelled).as(context).isBetween(report.aborted() - report.stillRunning(), report.aborted());
    }

    /** In its one poll: spawns {@link #QUEUED_PER_SPAWNER} tasks onto its own worker, says so, and finishes. */
    private static Task<Integer> queueOnMyWorker(AsyncRuntime runtime, List<JoinHandle<?>> handles,
            CountDownLatch allQueued) {
        return cx -> {
            for (int i = 0; i < QUEUED_PER_SPAWNER; i++) {
                handles.add(i % 2 == 0 ? runtime.spawn((Runnable) () -> { }) : runtime.spawn(() -> 7));
            }
            allQueued.countDown();
            return Poll.ready(0);
        };
    }
}

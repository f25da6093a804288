package io.asyncruntime;

import static io.asyncruntime.RacingTaskShapes.wokenInItsFirstPollThenReady;
import static io.asyncruntime.RacingTaskShapes.yieldOnceThenIdle;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review31 (cell10: a spawn from outside is handed to lazy linking when a worker takes it out of
 * the inject queue, and is linked only at its first pending return). A graceful shutdown with no
 * patience starts while two threads flood the runtime with spawns from outside, so that when the
 * abort begins many are still queued in the inject queues, sit never polled in the workers' rings
 * (taken, handed over, not linked) or are in their first poll. The tasks: runnables, tasks idle
 * forever after their first poll, tasks woken in their first poll that complete at their second,
 * tasks that yield once then idle forever, and tasks whose first poll blocks in place. Every
 * accepted handle completes (a value, or a cancellation from the abort or the stop), every refused
 * spawn throws the clear {@link IllegalStateException}, and the report adds up with what the
 * handles show: the cancelled ones are the report's aborted (less any poll still running at the
 * end, which may yet return a value), and no handle the report
 * calls finished is still not done when it returns. Bounded rounds.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShutdownRacingAFloodOfOutsideSpawnsTest {

    private static final int ROUNDS = 8;
    private static final int SPAWNERS = 2;
    /** Spawns accepted before the shutdown starts (the flood goes on after, until refused). */
    private static final int BEFORE_SHUTDOWN = 4_000;

    @Test
    void everyHandleCompletesAndTheReportMatchesWhatTheHandlesShow() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            runRound(round);
        }
    }

    private void runRound(int round) throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("r31-flood-")
                .stallThreshold(Duration.ofHours(1)).build();
        List<List<JoinHandle<?>>> accepted = new ArrayList<>();
        AtomicInteger acceptedCount = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> spawners = new ArrayList<>();
        for (int s = 0; s < SPAWNERS; s++) {
            List<JoinHandle<?>> mine = Collections.synchronizedList(new ArrayList<>());
            accepted.add(mine);
            int seed = s + round;
            Thread spawner = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; ; i++) {
                        JoinHandle<?> handle;
                        try {
                            handle = spawnOne(runtime, i + seed);
                        } catch (IllegalStateException refused) {
                            assertThat(refused).hasMessageContaining("async-runtime");
                            return; // refused from here on
                        }
                        mine.add(handle);
                        acceptedCount.incrementAndGet();
                    }
                } catch (Throwable t) {
                    unexpected.compareAndSet(null, t);
                }
            }, "r31-flood-spawner-" + s);
            spawner.start();
            spawners.add(spawner);
        }
        go.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                .until(() -> acceptedCount.get() >= BEFORE_SHUTDOWN
                || unexpected.get() != null);
        ShutdownReport report = runtime.shutdownGracefully(Duration.ZERO);
        // Read at once: what the report calls finished must be done by now.
        int notDoneAtReturn = 0;
        int cancelledAtReturn = 0;
        for (Thread spawner : spawners) {
            spawner.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(spawner.isAlive()).isFalse();
        }
        assertThat(unexpected.get()).isNull();
        List<JoinHandle<?>> all = new ArrayList<>();
        accepted.forEach(all::addAll);
        for (JoinHandle<?> handle : all) {
            if (!handle.isDone()) {
                notDoneAtReturn++;
            } else if (handle.isCancelled()) {
                cancelledAtReturn++;
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().allMatch(JoinHandle::isDone));
        long cancelled = all.stream().filter(JoinHandle::isCancelled).count();
        String context = "round " + round + ", " + all.size() + " accepted, " + report;
        assertThat(report.liveAtStart() + report.spawnedDuringShutdown()).as(context)
                .isEqualTo(report.completed() + report.aborted());
        // Nothing cancels these tasks but the abort and the stop: the cancelled ones are the aborted,
        // but for a poll still running at the end (a descheduled blockInPlace thread, a worker slow
        // to stop on a loaded box), which the report counts aborted and which may yet return a value.
        assertThat(cancelled).as(context).isBetween(report.aborted() - report.stillRunning(), report.aborted());
        // A handle not done at the return is live in the report's last counts (so among the aborted).
        assertThat(notDoneAtReturn + cancelledAtReturn).as(context).isLessThanOrEqualTo((int) report.aborted());
        // Strangers are refused once the shutdown starts: every accepted spawn came before it.
        assertThat(report.spawnedDuringShutdown()).as(context).isZero();
    }

    private static JoinHandle<?> spawnOne(AsyncRuntime runtime, int i) {
        switch (i % 10) {
            case 0:
            case 1:
                return runtime.spawn((Runnable) () -> { });
            case 2:
            case 3:
                return runtime.spawn(Task.never());
            case 4:
            case 5:
                return runtime.spawn(wokenInItsFirstPollThenReady());
            case 6:
            case 7:
                return runtime.spawn(yieldOnceThenIdle());
            case 8:
                return runtime.spawn(() -> 8);
            default:
                return runtime.spawn(firstPollBlocksInPlace()); // one in ten: each hand-over starts a thread
        }
    }

    private static Task<Integer> firstPollBlocksInPlace() {
        return cx -> Poll.ready(AsyncRuntime.blockInPlace(() -> 4));
    }
}

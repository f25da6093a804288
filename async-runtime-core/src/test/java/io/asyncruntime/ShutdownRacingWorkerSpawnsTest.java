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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's spawn counts without its shard's lock (TaskShard, "Rejection", thirteenth wave): it
 * reads the refusal, then stores the count, so a spawn racing the abort is either refused with the
 * clear {@link IllegalStateException} or counted, possibly after the shutdown read its counts at
 * the abort, and then cancelled at its first poll. Here tasks on the workers spawn without pause
 * while a graceful shutdown with no patience starts: every accepted handle completes (a value, or
 * a cancellation from the abort or the stop), every refused spawn throws the clear exception, and
 * the report adds up with what the handles show (its spawns are read at its end, so a late count
 * is in both sides). The window between the read and the store is a few instructions and cannot
 * be forced from here; the rounds make the race itself certain (spawns are refused in each round)
 * and check that whichever side of it a spawn lands on, nothing is lost and nothing miscounted.
 * Bounded rounds.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShutdownRacingWorkerSpawnsTest {

    private static final int ROUNDS = 8;
    private static final int SPAWNERS = 4;
    private static final int SPAWNS_PER_POLL = 64;
    /** Spawns accepted before the shutdown starts (the spawners go on after, until refused). */
    private static final int BEFORE_SHUTDOWN = 4_000;

    @Test
    void everyHandleCompletesAndTheReportMatchesWhatTheHandlesShow() throws Exception {
        int roundsWithARefusal = 0;
        for (int round = 0; round < ROUNDS; round++) {
            if (runRound(round)) {
                roundsWithARefusal++;
            }
        }
        // A spawner still polling when the abort begins is refused: the race happened.
        assertThat(roundsWithARefusal).as("rounds in which a worker's spawn was refused").isPositive();
    }

    /** Returns whether some spawn was refused in this round. */
    private boolean runRound(int round) throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("worker-spawn-race-")
                .stallThreshold(Duration.ofHours(1)).build();
        List<JoinHandle<?>> children = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<JoinHandle<?>> spawners = new ArrayList<>();
        for (int s = 0; s < SPAWNERS; s++) {
            spawners.add(runtime.spawn(spawner(runtime, children, refused, unexpected, s + round)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                .until(() -> children.size() >= BEFORE_SHUTDOWN || unexpected.get() != null);
        ShutdownReport report = runtime.shutdownGracefully(Duration.ZERO);
        List<JoinHandle<?>> all = new ArrayList<>(spawners);
        synchronized (children) {
            all.addAll(children);
        }
        int notDoneAtReturn = 0;
        int cancelledAtReturn = 0;
        for (JoinHandle<?> handle : all) {
            if (!handle.isDone()) {
                notDoneAtReturn++;
            } else if (handle.isCancelled()) {
                cancelledAtReturn++;
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().allMatch(JoinHandle::isDone));
        // Read after every handle is done: a spawn the shutdown's return overtook is in the list now.
        synchronized (children) {
            all.subList(spawners.size(), all.size()).clear();
            all.addAll(children);
        }
        assertThat(unexpected.get()).isNull();
        long cancelled = all.stream().filter(JoinHandle::isCancelled).count();
        String context = "round " + round + ", " + all.size() + " handles, " + refused.get() + " refused, " + report;
        assertThat(all).as(context).allMatch(JoinHandle::isDone);
        assertThat(report.liveAtStart() + report.spawnedDuringShutdown()).as(context)
                .isEqualTo(report.completed() + report.aborted());
        // Every task spawned since the runtime started was live at the start or spawned after it.
        assertThat(report.liveAtStart() + report.spawnedDuringShutdown()).as(context)
                .isLessThanOrEqualTo(all.size());
        // Nothing cancels these tasks but the abort and the stop: the cancelled ones are the aborted,
        // but for a poll still running at the end, which the report counts aborted and which may yet
        // return a value.
        assertThat(cancelled).as(context).isBetween(report.aborted() - report.stillRunning(), report.aborted());
        assertThat(notDoneAtReturn + cancelledAtReturn).as(context).isLessThanOrEqualTo((int) report.aborted());
        return refused.get() > 0;
    }

    /**
     * Spawns {@link #SPAWNS_PER_POLL} children per poll and yields, until a spawn is refused: then
     * checks the exception and finishes.
     */
    private static Task<Integer> spawner(AsyncRuntime runtime, List<JoinHandle<?>> children, AtomicInteger refused,
            AtomicReference<Throwable> unexpected, int seed) {
        int[] next = {seed};
        return cx -> {
            for (int i = 0; i < SPAWNS_PER_POLL; i++) {
                try {
                    children.add(spawnOne(runtime, next[0]++));
                } catch (IllegalStateException refusal) {
                    if (!refusal.getMessage().contains("async-runtime") && !refusal.getMessage().contains("shut down")) {
                        unexpected.compareAndSet(null, refusal);
                    }
                    refused.incrementAndGet();
                    return Poll.ready(0);
                } catch (Throwable t) {
                    unexpected.compareAndSet(null, t);
                    return Poll.ready(-1);
                }
            }
            cx.requestYield();
            return Poll.pending();
        };
    }

    private static JoinHandle<?> spawnOne(AsyncRuntime runtime, int i) {
        switch (i % 8) {
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
                return runtime.spawn(yieldOnceThenIdle());
            default:
                return runtime.spawn(() -> 7);
        }
    }
}

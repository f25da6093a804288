package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.NO_SPAWN_PATH_SWEEPS;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review19 (issue 10, reg10c 907756a): a worker about to park runs {@code registry.sweep(index,
 * true)}, which ShardSweep's class comment (TaskShard's then) says finishes the unlinking of what completed ("when
 * its owner goes idle, its park"). But when a driver turn's bounded sweep left a cycle under way,
 * the park only finishes <em>that</em> cycle: a cell that completed after the cycle began, behind
 * its cursor, is skipped, and although the dirty hint is set again, the park does not start
 * another cycle. The worker parks with the finished cell (and its result) linked; if every worker
 * parks, nothing sweeps it until some worker next has work.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParkLeavesACellFinishedBehindTheSweepCursorLinkedTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        RegistryTestFixture.shutdown(scheduler);
    }

    /**
     * The same on a running scheduler of one worker: 400 idle tasks in its shard; then, in each
     * round, one task completes the inputs of the 70 newest idle ones (so the worker polls 71
     * tasks in one busy stretch, a driver turn among them starts a bounded sweep at the head, and
     * some of those 70 complete behind its cursor), and the worker goes idle. Once it has
     * parked, every finished cell should be unlinked: nothing else will ever sweep this shard.
     */
    @Test
    void anIdleWorkersShardHoldsNoFinishedCell() throws Exception {
        scheduler = startScheduler(1, "park-cursor-", true);
        int idle = 400;
        List<CompletableFuture<Integer>> inputs = new ArrayList<>();
        for (int i = 0; i < idle; i++) {
            inputs.add(new CompletableFuture<>());
        }
        List<JoinHandle<Integer>> children = scheduler.spawn((Callable<List<JoinHandle<Integer>>>) () -> {
            List<JoinHandle<Integer>> spawned = new ArrayList<>();
            for (CompletableFuture<Integer> input : inputs) {
                spawned.add(scheduler.spawn(Task.fromCompletionStage(input), Priority.NORMAL, null));
            }
            return spawned;
        }, Priority.NORMAL, null).get(10, TimeUnit.SECONDS);
        TaskShard shard = scheduler.registry().shard(0);
        int live = idle;
        for (int round = 0; round < 5; round++) {
            int from = live - 70;
            int to = live;
            scheduler.spawn((Runnable) () -> {
                for (int i = to - 1; i >= from; i--) { // newest first: they are at the head
                    inputs.get(i).complete(i);
                }
            }, Priority.NORMAL, null).get(10, TimeUnit.SECONDS);
            for (int i = from; i < to; i++) {
                assertThat(children.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            live = from;
            int expected = live;
            try {
                Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                        .until(() -> scheduler.isWorkerParked(0) && shard.linkedCount() == expected);
            } catch (ConditionTimeoutException finishedCellsLeft) {
                throw new AssertionError("round " + round + ": the one worker is parked with " + shard.linkedCount()
                        + " cells linked in its shard, " + expected + " of them live: the park's sweep left "
                        + (shard.linkedCount() - expected) + " finished cells (and their results) linked");
            }
        }
    }

    @Test
    void aParkUnlinksEveryCellThatFinishedBeforeIt() {
        TaskRegistry registry = new TaskRegistry(null, 1, NO_SPAWN_PATH_SWEEPS);
        TaskShard shard = registry.shard(0);
        TaskCell<?> older = idleCell(shard);
        TaskCell<?> newer = idleCell(shard); // the list: newer, older
        completeOffTheWorkers(shard, older);
        // A driver turn (budget 1 here; 128 in the runtime, on a longer list): the cycle starts at
        // the head, clears the hint, looks at `newer` (live) and stops with the cursor past it.
        shard.sweepIfDirty(1);
        // `newer` completes now, behind the cursor: its completer sets the hint again.
        completeOffTheWorkers(shard, newer);
        // The worker parks.
        registry.sweep(0, true);
        assertThat(shard.linkedCount())
                .as("cells still linked after the park's sweep, both finished before it began")
                .isZero();
    }
}

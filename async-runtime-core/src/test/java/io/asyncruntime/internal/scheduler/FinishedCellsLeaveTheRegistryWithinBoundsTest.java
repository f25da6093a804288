package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.NO_SPAWN_PATH_SWEEPS;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live-task registry leaves finished cells linked until a sweep (see {@link ShardSweep},
 * "Sweeps"); these are the bounds it promises on what it retains: in count (the spawn path's
 * incremental sweeps keep a shard within 9/8 of twice its peak of live tasks plus
 * {@link ShardSweep#SWEEP_SLACK}, "The bound in count"; review20 R5 tightened it from
 * {@code 3P + 11S/2}),
 * per driver turn (a bounded sweep), and in time (a worker going idle unlinks what finished in its
 * shard and in the shards of parked workers, so a finished task's cell, and its outcome, become
 * collectable without any read of the registry).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FinishedCellsLeaveTheRegistryWithinBoundsTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void aShardHoldsAtMostNineQuartersOfItsPeakOfLiveTasksPlusNineEighthsOfTheSlack() {
        TaskRegistry registry = new TaskRegistry(null, 1);
        TaskShard shard = registry.shard(0);
        SplittableRandom random = new SplittableRandom(10);
        List<TaskCell<?>> live = new ArrayList<>();
        int peak = 0;
        // Phases of growth and of decay, completions in random order (as stolen tasks finish).
        for (int phase = 0; phase < 8; phase++) {
            double spawnShare = phase % 2 == 0 ? 0.8 : 0.3;
            for (int step = 0; step < 5_000; step++) {
                if (live.isEmpty() || random.nextDouble() < spawnShare) {
                    live.add(idleCell(shard));
                    peak = Math.max(peak, live.size());
                } else {
                    int at = random.nextInt(live.size());
                    TaskCell<?> cell = live.get(at);
                    live.set(at, live.get(live.size() - 1));
                    live.remove(live.size() - 1);
                    completeOffTheWorkers(shard, cell);
                }
                assertThat(shard.linkedCount()).as("cells linked, at a peak of %d live", peak)
                        .isLessThanOrEqualTo(9 * (2 * peak + ShardSweep.SWEEP_SLACK) / 8);
            }
        }
        registry.sweep(0, true); // a park finishes the cycle: only the live cells stay
        assertThat(shard.linkedCount()).isEqualTo(live.size());
        assertThat(shard.snapshotAll()).containsExactlyInAnyOrderElementsOf(live);
        long[] counts = registry.counts();
        assertThat(counts[0] - counts[1]).isEqualTo(live.size());
    }

    /**
     * Sweep cycles that span several driver turns, with spawns and completions between the
     * turns (the cursor stands mid-list, or at the head, when a cell is pushed): a walk finds
     * every live cell after every step, and a park leaves exactly the live ones.
     */
    @Test
    void sweepsSpanningSpawnsNeverUnlinkALiveCell() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            TaskRegistry registry = new TaskRegistry(null, 1, 1 + random.nextInt(8));
            TaskShard shard = registry.shard(0);
            List<TaskCell<?>> live = new ArrayList<>();
            for (int step = 0; step < 60; step++) {
                int op = random.nextInt(10);
                if (op < 4 || live.isEmpty()) {
                    live.add(idleCell(shard));
                } else if (op < 7) {
                    completeOffTheWorkers(shard, live.remove(random.nextInt(live.size())));
                } else if (op < 9) {
                    shard.sweepIfDirty(1 + random.nextInt(3)); // a driver turn with a tiny budget
                } else {
                    registry.sweep(0, true);
                    assertThat(shard.linkedCount()).isEqualTo(live.size());
                }
                assertThat(shard.snapshotAll()).as("round %d, step %d", round, step)
                        .containsExactlyInAnyOrderElementsOf(live);
            }
        }
    }

    @Test
    void aDriverTurnSweepsABoundedShareAndTheTurnsThatFollowFinishTheCycle() {
        TaskRegistry registry = new TaskRegistry(null, 1, NO_SPAWN_PATH_SWEEPS);
        TaskShard shard = registry.shard(0);
        int cells = 3 * ShardSweep.TICK_SWEEP_BUDGET - 100;
        List<TaskCell<?>> all = new ArrayList<>();
        for (int i = 0; i < cells; i++) {
            all.add(idleCell(shard));
        }
        for (TaskCell<?> cell : all) {
            completeOffTheWorkers(shard, cell);
        }
        assertThat(shard.linkedCount()).isEqualTo(cells);
        shard.sweepIfDirty(ShardSweep.TICK_SWEEP_BUDGET);
        assertThat(shard.linkedCount()).isEqualTo(cells - ShardSweep.TICK_SWEEP_BUDGET);
        shard.sweepIfDirty(ShardSweep.TICK_SWEEP_BUDGET);
        shard.sweepIfDirty(ShardSweep.TICK_SWEEP_BUDGET);
        assertThat(shard.linkedCount()).isZero();
        // Nothing completed since: the next turn looks at nothing (the dirty hint is clear).
        TaskCell<?> idle = idleCell(shard);
        shard.sweepIfDirty(ShardSweep.TICK_SWEEP_BUDGET);
        assertThat(shard.linkedCount()).isEqualTo(1);
        assertThat(shard.snapshotAll()).containsExactly(idle);
    }

    /**
     * A worker spawns an idle task; a thread outside the workers cancels it (and so completes it),
     * while every worker is parked; the handle is dropped. The next bit of work (one task from
     * outside) wakes a worker, which sweeps before it parks again: the cell becomes collectable,
     * with no read of the registry.
     */
    @Test
    void aCellCompletedOffItsWorkerIsCollectableOnceAWorkerHasWorkedAndParked() throws Exception {
        scheduler = startScheduler(2, "finished-bounds-", true);

        WeakReference<JoinHandle<Void>> cell = spawnOnAWorkerCancelAndDrop();
        // Some work, then the workers go idle again.
        assertThat(scheduler.spawn((Callable<Integer>) () -> 1, Priority.NORMAL, null).get(10, TimeUnit.SECONDS))
                .isEqualTo(1);

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            System.gc();
            return cell.get() == null;
        });
        assertThat(scheduler.registry().liveTasksHint()).isZero();
    }

    /** In a frame of its own, so that no local of the test keeps the handle. */
    private WeakReference<JoinHandle<Void>> spawnOnAWorkerCancelAndDrop() throws Exception {
        JoinHandle<JoinHandle<Void>> spawner = scheduler.spawn(
                (Callable<JoinHandle<Void>>) () -> scheduler.spawn(Task.<Void>never(), Priority.NORMAL, "idle"),
                Priority.NORMAL, null);
        JoinHandle<Void> idle = spawner.get(10, TimeUnit.SECONDS);
        assertThat(idle.cancel(false)).isTrue(); // completes it here, on the test's thread
        assertThat(idle.isDone()).isTrue();
        return new WeakReference<>(idle);
    }
}

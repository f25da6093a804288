package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review20 R4 (issue 10; reg10e cf1c0a6, and main's review19 F3 fix alike): the sweep an outside
 * completer runs right after completing a cell, for the case where every worker is parked, is a
 * driver turn's share ({@link ShardSweep#TICK_SWEEP_BUDGET} cells from the head, or from the
 * cursor). In a shard of more cells than that, a completed cell further in is not reached; the
 * cycle is left under way and nobody goes on with it while the workers stay parked, so the cell
 * (its outcome) stays linked until some worker next has work. Deterministic: one worker, parked,
 * 512 idle tasks in its shard, the cancelled one the 256th from the head. (On reg10e it fails
 * for R1's reason too: the share is spent on the spawn path's credit.)
 *
 * <p>Fixed (reg10h): the canceller still sweeps a turn's share only (a stream of outside
 * cancels must not each walk the shard), and wakes a parked worker when it leaves a cycle under
 * way; that worker's park sweep finishes it. So the test waits, bounded, for the unlink.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffWorkerSweepReachesOnlyATurnsShareTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        if (scheduler != null) {
            scheduler.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void anOutsideCancelOfACellDeepInAParkedWorkersShardUnlinksIt() throws Exception {
        scheduler = new Scheduler(new SchedulerConfig(1, "deep-cancel-", 31, 61, true, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        TaskShard shard = scheduler.registry().shard(0);

        // On the worker: idle children until the spawn path has visited a whole turn's share
        // since the last turn and no cycle is under way (fields the owner alone writes here).
        List<JoinHandle<Void>> children = scheduler.spawn((Callable<List<JoinHandle<Void>>>) () -> {
            List<JoinHandle<Void>> spawned = new ArrayList<>();
            do {
                spawned.add(scheduler.spawn(Task.<Void>never(), Priority.NORMAL, null));
            } while (spawned.size() < 100_000
                    && (spawned.size() < 4 * ShardSweep.TICK_SWEEP_BUDGET || shard.sweeping
                        || shard.spawnVisits < ShardSweep.TICK_SWEEP_BUDGET));
            return spawned;
        }, Priority.NORMAL, "spawner").get(10, TimeUnit.SECONDS);
        assertThat(children.size()).isLessThan(100_000);
        // The worker polls each child once (nothing completes: its turns and its park skip the
        // shard), then parks past its park sweep.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());
        int linked = shard.linkedCount();
        assertThat(linked).isEqualTo(children.size());

        WeakReference<JoinHandle<Void>> cancelled = cancelOneAndDrop(children);
        // Awaited (bounded): since the fix the canceller sweeps a turn's share itself and wakes a
        // parked worker, whose park sweep goes on with the cycle (linkedCount sweeps nothing).
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> shard.linkedCount() == linked - 1);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("cells linked 5 s after an outside cancel() of one of " + linked
                    + " idle tasks, the worker parked: " + shard.linkedCount() + ", expected " + (linked - 1));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return cancelled.get() == null;
        });
    }

    /** In a frame of its own, so that no local of the test keeps the handle. */
    private static WeakReference<JoinHandle<Void>> cancelOneAndDrop(List<JoinHandle<Void>> children) {
        JoinHandle<Void> victim = children.remove(children.size() / 2);
        assertThat(victim.cancel(false)).isTrue(); // completes it here, on the test's thread
        assertThat(victim.isDone()).isTrue();
        return new WeakReference<>(victim);
    }
}

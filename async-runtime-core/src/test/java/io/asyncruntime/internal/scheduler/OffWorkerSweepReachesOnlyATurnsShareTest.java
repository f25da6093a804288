package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.awaitCollected;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.burstOfIdleChildrenThenParked;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.cancelAndDrop;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
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
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void anOutsideCancelOfACellDeepInAParkedWorkersShardUnlinksIt() throws Exception {
        scheduler = startScheduler(1, "deep-cancel-", true);
        TaskShard shard = scheduler.registry().shard(0);

        // On the worker: idle children until the spawn path has visited a whole turn's share
        // since the last turn and no cycle is under way; then the worker parks.
        List<JoinHandle<Void>> children = burstOfIdleChildrenThenParked(scheduler, shard);
        int linked = shard.linkedCount();

        WeakReference<JoinHandle<Void>> cancelled = cancelAndDrop(children, children.size() / 2);
        // Awaited (bounded): since the fix the canceller sweeps a turn's share itself and wakes a
        // parked worker, whose park sweep goes on with the cycle (linkedCount sweeps nothing).
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> shard.linkedCount() == linked - 1);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("cells linked 5 s after an outside cancel() of one of " + linked
                    + " idle tasks, the worker parked: " + shard.linkedCount() + ", expected " + (linked - 1));
        }
        awaitCollected(cancelled, Duration.ofSeconds(5));
    }
}

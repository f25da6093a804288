package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review21 Q2 (issue 10, a cost, not a defect): a thread that runs no worker sweeps a driver
 * turn's share ({@link ShardSweep#TICK_SWEEP_BUDGET} cells) of a cell's shard right after it
 * completes the cell, and wakes a parked worker if that leaves a cycle under way (review19 F3,
 * review20 R4). In a storm of outside cancels (an outside {@code abortAll} of N tasks, a caller
 * cancelling a batch) every cancel did that again, although the cycle had already been handed to
 * the woken worker: ~128 cell visits per cancel on the cancelling thread (20,000 cancels: 127.6
 * visits, ~3.4 us each). Fixed: a completer off the workers skips its share while a hand-off is
 * pending (see {@link ShardSweep}, "Nobody left behind"). The cells are still all unlinked.
 *
 * <p>One worker, parked; 20,000 idle cells in its shard; this thread completes them all, newest
 * first (as a walk does), and counts the state reads it makes itself (one per visit).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnOutsideCancelStormSweepsATurnsSharePerCancelTest {

    private static final int CELLS = 20_000;
    /** The canceller's visits per cancel, amortized, allowed: a share now and then, not one each time. */
    private static final double MAX_VISITS_PER_CANCEL = 8.0;

    private Scheduler scheduler;
    private static volatile Thread canceller;
    private static long cancellerVisits; // written by the canceller only

    /** A cell counting the state reads the canceller's thread makes (a sweep's visit is one). */
    static final class Counted extends TaskCell<Void> {
        Counted(TaskShard shard) {
            super(shard, Task.never(), Priority.NORMAL);
        }

        @Override
        int state() {
            if (Thread.currentThread() == canceller) {
                cancellerVisits++;
            }
            return super.state();
        }
    }

    @AfterEach
    void shutdown() {
        canceller = null;
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void theCancellerVisitsAFewCellsPerCancelAmortizedAndEveryCellIsUnlinked() {
        scheduler = startScheduler(1, "q2-", true);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());
        TaskShard shard = scheduler.registry().shard(0);
        Counted[] cells = new Counted[CELLS];
        for (int i = 0; i < CELLS; i++) {
            cells[i] = new Counted(shard);
            shard.register(cells[i], false);
        }
        assertThat(shard.linkedCount()).isEqualTo(CELLS);

        canceller = Thread.currentThread();
        cancellerVisits = 0;
        for (int i = CELLS - 1; i >= 0; i--) {
            completeOffTheWorkers(shard, cells[i]);
        }
        canceller = null;
        double perCancel = cancellerVisits / (double) CELLS;

        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> shard.linkedCount() == 0);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("10 s after " + CELLS + " outside cancels, the worker parked: "
                    + shard.linkedCount() + " cells still linked");
        }
        assertThat(perCancel)
                .as("cells the cancelling thread visited per cancel, %d outside cancels in a parked worker's shard", CELLS)
                .isLessThanOrEqualTo(MAX_VISITS_PER_CANCEL);
    }
}

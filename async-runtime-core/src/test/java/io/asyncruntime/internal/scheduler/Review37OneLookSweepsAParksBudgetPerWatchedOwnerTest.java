package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * review37 (fails on ret21): StuckShardWatch's class comment says that a wake arriving while the
 * worker looks (still in the sleeper set) waits "at most one park's sweep, about a millisecond
 * for 64 Ki cells". One look sweeps a park's budget for each watched owner, one after the other,
 * without looking at its own wake in between: with two stuck owners whose shards are longer than
 * a park's budget, one look visits two park's budgets (and up to {@code workers - 1} of them).
 * Same unstarted-scheduler fixture as {@link StuckShardWatchTest}, three workers.
 */
class Review37OneLookSweepsAParksBudgetPerWatchedOwnerTest {

    private static final long INTERVAL = StuckShardWatch.LOOK_INTERVAL_NANOS;
    private static final int CELLS = ShardSweep.PARK_SWEEP_BUDGET + 1024;

    @Test
    void oneLookSweepsAtMostOneParksBudget() {
        Scheduler scheduler = new Scheduler(new SchedulerConfig(3, "watch-", 31, 61, false, 3,
                new int[] {0, 25, 10}, () -> { }, () -> { }, 0), new ThreadParkDriver());
        StuckShardWatch watch = scheduler.workers()[0].stuckShardWatch;
        TaskShard[] shards = {scheduler.registry().shard(1), scheduler.registry().shard(2)};
        for (int owner = 1; owner <= 2; owner++) {
            TaskShard shard = shards[owner - 1];
            List<TaskCell<Void>> cells = new ArrayList<>(CELLS);
            for (int i = 0; i < CELLS; i++) {
                cells.add(idleCell(shard));
            }
            scheduler.workers()[owner].handOver.publishPollStamp(5); // stuck in this poll from now on
            // All finish while the owner links (the completers' shares skipped): all owed.
            shard.lockForLinking();
            try {
                for (TaskCell<Void> cell : cells) {
                    completeOffTheWorkers(shard, cell);
                }
            } finally {
                shard.unlock();
            }
            watch.arm(owner, shard);
        }
        long before = shards[0].linkedCount() + shards[1].linkedCount();
        watch.lookIfDue(System.nanoTime() + INTERVAL); // both owners stuck for an interval
        long unlinked = before - shards[0].linkedCount() - shards[1].linkedCount();
        assertThat(unlinked)
                .as("cells one look visited while its worker sits in the sleeper set (the comment: at most one"
                        + " park's sweep, %d)", ShardSweep.PARK_SWEEP_BUDGET)
                .isLessThanOrEqualTo(ShardSweep.PARK_SWEEP_BUDGET);
    }
}

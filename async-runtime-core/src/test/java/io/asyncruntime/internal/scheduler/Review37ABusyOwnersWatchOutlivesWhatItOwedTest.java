package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * review37 (fails on ret21): a watch armed over a busy owner's shard never ends once that shard
 * owes nothing, as long as the owner goes on polling without anything of its shard finishing
 * (a long-lived task that yields, connections polled per I/O event). The owner's own turn ends
 * the cycle the park left owed, so the shard owes nothing; but "Done" needs two cycles ended
 * since the arming, no second cycle ever starts (nothing is dirty), and "Busy" (the stamp moved)
 * looks again without asking whether anything is owed. The parked peer then never parks untimed
 * again: it wakes every 10 ms for as long as the owner stays busy and it stays parked.
 * Same unstarted-scheduler fixture as {@link StuckShardWatchTest}.
 */
class Review37ABusyOwnersWatchOutlivesWhatItOwedTest {

    private static final long INTERVAL = StuckShardWatch.LOOK_INTERVAL_NANOS;
    private static final int OWNER = 1;

    @Test
    void aBusyOwnersWatchEndsOnceItsShardOwesNothing() {
        Scheduler scheduler = new Scheduler(new SchedulerConfig(2, "watch-", 31, 61, false, 3,
                new int[] {0, 25, 10}, () -> { }, () -> { }, 0), new ThreadParkDriver());
        TaskShard shard = scheduler.registry().shard(OWNER);
        StuckShardWatch watch = scheduler.workers()[0].stuckShardWatch;
        List<TaskCell<Void>> cells = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            cells.add(idleCell(shard));
        }
        scheduler.workers()[OWNER].handOver.publishPollStamp(5);

        // The peer parks while the owner links (the park sweep finds the lock held): armed.
        shard.lockForLinking();
        try {
            completeOffTheWorkers(shard, cells.get(0));
            assertThat(shard.sweepLeavesOwed(ShardSweep.PARK_SWEEP_BUDGET)).isTrue();
        } finally {
            shard.unlock();
        }
        watch.arm(OWNER, shard);

        // The owner is busy: its next driver turn ends the cycle; the shard owes nothing now.
        shard.sweepIfDirty(ShardSweep.TICK_SWEEP_BUDGET);
        assertThat(shard.linkedCount()).isEqualTo(3);
        assertThat(shard.sweepLeavesOwed(ShardSweep.PARK_SWEEP_BUDGET)).isFalse();

        // It goes on polling one long-lived task; nothing of its shard finishes.
        long now = System.nanoTime();
        int looks = 100; // a second of looks
        for (int look = 1; look <= looks; look++) {
            scheduler.workers()[OWNER].handOver.publishPollStamp(5 + look);
            watch.lookIfDue(now + look * INTERVAL);
        }
        assertThat(watch.isWatching())
                .as("still watching a busy owner's shard that owes nothing after %d looks (%d ms of 10 ms wakes)",
                        looks, looks * INTERVAL / 1_000_000)
                .isFalse();
        assertThat(watch.parkNanos()).as("the peer's next park is untimed").isNegative();
    }
}

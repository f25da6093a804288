package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StuckShardWatch}'s looks, on a scheduler that is never started (its workers' poll
 * stamps and shards are set by this thread, the looks' times passed in): it sweeps the shard of
 * an owner whose stamp stayed put for an interval (stuck) or that is parked, never the shard of
 * one whose stamp moved (busy: its own turns sweep), and it stops once the shard has ended two
 * cycles since it was armed (done) or its sweep leaves nothing owed.
 */
class StuckShardWatchTest {

    private static final long INTERVAL = StuckShardWatch.LOOK_INTERVAL_NANOS;
    private static final int OWNER = 1;

    private Scheduler scheduler;
    private TaskShard shard;
    private StuckShardWatch watch;
    private final List<TaskCell<Void>> idle = new ArrayList<>();

    @BeforeEach
    void unstartedScheduler() {
        scheduler = new Scheduler(new SchedulerConfig(2, "watch-", 31, 61, false, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        shard = scheduler.registry().shard(OWNER);
        watch = scheduler.workers()[0].stuckShardWatch;
        for (int i = 0; i < 4; i++) {
            idle.add(idleCell(shard));
        }
    }

    /**
     * Completes {@code cell} off the workers while this thread holds the shard's lock (so its
     * share is skipped), then lets the lock go without looking again, as an owner's link does:
     * the shard owes a sweep that nobody answers for.
     */
    private void completeWhileTheOwnerLinks(TaskCell<Void> cell) {
        shard.lockForLinking();
        try {
            completeOffTheWorkers(shard, cell);
        } finally {
            shard.unlock();
        }
    }

    private void ownerPolls(int tick) {
        scheduler.workers()[OWNER].handOver.publishPollStamp(tick);
    }

    @Test
    void aBusyOwnersShardIsNeverSweptAndAStuckOnesIsOnceItsStampStaysPut() {
        ownerPolls(5);
        completeWhileTheOwnerLinks(idle.get(0));
        assertThat(shard.linkedCount()).isEqualTo(4);
        assertThat(watch.parkNanos()).isNegative();

        long before = System.nanoTime();
        watch.arm(OWNER, shard);
        long now = System.nanoTime();
        assertThat(watch.parkNanos()).isBetween(1L, INTERVAL);
        watch.lookIfDue(before); // not due yet
        ownerPolls(6);
        watch.lookIfDue(now + INTERVAL); // the stamp moved: busy, its turns sweep
        assertThat(shard.linkedCount()).isEqualTo(4);
        assertThat(watch.isWatching()).isTrue();
        ownerPolls(7);
        watch.lookIfDue(now + 2 * INTERVAL); // busy still
        assertThat(shard.linkedCount()).isEqualTo(4);

        watch.lookIfDue(now + 3 * INTERVAL); // 7 for a whole interval: stuck
        assertThat(shard.linkedCount()).isEqualTo(3);
        assertThat(watch.isWatching()).isFalse(); // nothing owed after its sweep
    }

    @Test
    void aParkedOwnersShardIsSweptAtTheNextLook() {
        ownerPolls(5);
        completeWhileTheOwnerLinks(idle.get(0));
        watch.arm(OWNER, shard);
        scheduler.workers()[OWNER].handOver.publishParked();
        watch.lookIfDue(System.nanoTime() + INTERVAL);
        assertThat(shard.linkedCount()).isEqualTo(3);
        assertThat(watch.isWatching()).isFalse();
    }

    @Test
    void aLookThatFindsTheLockHeldLooksAgain() {
        ownerPolls(5);
        completeWhileTheOwnerLinks(idle.get(0));
        watch.arm(OWNER, shard);
        long now = System.nanoTime();
        shard.lockForLinking();
        try {
            watch.lookIfDue(now + INTERVAL); // stuck, but the lock is held
        } finally {
            shard.unlock();
        }
        assertThat(watch.isWatching()).isTrue();
        watch.lookIfDue(now + 2 * INTERVAL);
        assertThat(shard.linkedCount()).isEqualTo(3);
        assertThat(watch.isWatching()).isFalse();
    }

    @Test
    void twoCyclesEndedSinceTheArmingEndTheWatchWithoutASweep() {
        ownerPolls(5);
        completeWhileTheOwnerLinks(idle.get(0));
        watch.arm(OWNER, shard);
        int armed = shard.cyclesEnded();
        // Two completions off the workers, each sweeping a whole (small) cycle itself.
        completeOffTheWorkers(shard, idle.get(1));
        completeOffTheWorkers(shard, idle.get(2));
        assertThat(shard.cyclesEnded() - armed).isEqualTo(2);
        assertThat(shard.linkedCount()).isEqualTo(1);
        // Owed again, by a cell that finished after the arming (its own completer answers for it).
        TaskCell<Void> late = new TaskCell<>(shard, Task.never(), Priority.NORMAL);
        shard.register(late, false);
        completeWhileTheOwnerLinks(late);
        watch.lookIfDue(System.nanoTime() + INTERVAL); // stuck, but done: no sweep
        assertThat(watch.isWatching()).isFalse();
        assertThat(shard.linkedCount()).isEqualTo(2);
    }

    @Test
    void leavingTheParkEndsTheWatch() {
        ownerPolls(5);
        completeWhileTheOwnerLinks(idle.get(0));
        watch.arm(OWNER, shard);
        watch.clear();
        assertThat(watch.isWatching()).isFalse();
        assertThat(watch.parkNanos()).isNegative();
        watch.lookIfDue(System.nanoTime() + INTERVAL);
        assertThat(shard.linkedCount()).isEqualTo(4);
    }
}

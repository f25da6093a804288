package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.GateCell;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review21 Q1 (issue 10, reg10h 6c03a1c): review20 R4's fix hands an unfinished off-worker sweep to
 * a parked worker through {@link Scheduler#notifyParked}, which wakes nobody while a worker is
 * searching ("it will find the work"). But a searching worker on its way to park finds only
 * queued work after it enters the sleeper set ({@code notifyIfWorkPending}); the registry's hint
 * it reads only in its park sweep, before that. So with <em>two</em> workers, both parked, and two
 * outside completers: the first one's sweep leaves a cycle under way and wakes worker x; x's park
 * sweep finds the owner's shard locked by the second completer and skips it ("the holder answers");
 * the holder's sweep ends unfinished and notifies while x still searches: nobody is woken, x parks,
 * and the finished cells deep in the shard (their outcomes) stay linked while the runtime idles.
 * Not the one-worker residue the class comment admits: every worker is in the sleeper set at the
 * end. Deterministic: gate cells hold the second completer inside its sweep and worker x inside
 * its park sweep at the two points of the race.
 *
 * <p>Since review21 Q2 a completer off the workers sweeps nothing while a hand-off is pending (the
 * first completer's), so the second completer's own completion no longer takes the lock here. The
 * race stands with any off-worker sweeper that holds the lock while x passes: the second thread
 * then reads the registry's spawn count ({@code insertedExact}, as {@code counts()} does), and
 * that read's after-read sweep (which never skips: readers answer for give-ways) takes the
 * hand-off and is held at the gate instead.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffWorkerSweepLostWhileTheWokenWorkerSearchesTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void twoOutsideCompletionsRacingAWokenWorkersParkLeaveNoCellLinkedWhileAllAreParked() throws Exception {
        scheduler = startScheduler(2, "q1-", true);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());
        int woken = topSleeper(scheduler.idle()); // the worker a notify picks
        int owner = 1 - woken;
        TaskRegistry registry = scheduler.registry();
        TaskShard ownerShard = registry.shard(owner);
        TaskShard wokenShard = registry.shard(woken);
        TaskShard outsideShard = registry.shard(2);

        // The owner's shard: two cells deep (at the tail), filler, the second completer's gate as the
        // first cell past the first completer's share, a share of filler at the head.
        TaskCell<Void> first = idleCell(ownerShard);
        TaskCell<Void> second = idleCell(ownerShard);
        for (int i = 0; i < 700; i++) {
            idleCell(ownerShard);
        }
        GateCell holder = new GateCell(ownerShard);
        ownerShard.register(holder, false);
        for (int i = 0; i < ShardSweep.TICK_SWEEP_BUDGET; i++) {
            idleCell(ownerShard);
        }
        ownerShard.sweepOnceIfDirty(ShardSweep.PARK_SWEEP_BUDGET); // end the spawn path's cycle
        assertThat(ownerShard.sweeping).isFalse();
        int linked = ownerShard.linkedCount();

        // Worker x's park sweep stops at its own shard (before the owner's) and at an outside
        // shard (after it), still searching both times.
        Predicate<Thread> wokenWorkerParking = t -> t instanceof WorkerThread w && w.worker != null
                && w.worker.index == woken && scheduler.isWorkerParked(woken);
        GateCell beforeOwnersShard = new GateCell(wokenShard);
        wokenShard.register(beforeOwnersShard, false);
        wokenShard.dirty = true;
        beforeOwnersShard.armedFor = wokenWorkerParking;
        GateCell afterOwnersShard = new GateCell(outsideShard);
        outsideShard.register(afterOwnersShard, true);
        outsideShard.dirty = true;
        afterOwnersShard.armedFor = wokenWorkerParking;

        // Completer 1 (this thread): sweeps a turn's share, leaves the cycle under way, wakes x.
        completeOffTheWorkers(ownerShard, first);
        assertThat(beforeOwnersShard.reached.await(10, TimeUnit.SECONDS)).as("worker x woken and parking").isTrue();
        // Completer 2 takes the owner's shard and holds it at the first cell of its share.
        Thread completer2 = new Thread(() -> {
            completeOffTheWorkers(ownerShard, second); // skips its share: the hand-off is pending (Q2)
            ownerShard.insertedExact(); // a registry read: its after-read sweep takes the hand-off
        }, "completer-2");
        holder.stopOn(completer2);
        completer2.start();
        assertThat(holder.reached.await(10, TimeUnit.SECONDS)).isTrue();
        // x's park sweep goes on: the owner's shard is locked (skipped), it stops at the outside shard.
        beforeOwnersShard.release.countDown();
        assertThat(afterOwnersShard.reached.await(10, TimeUnit.SECONDS)).isTrue();
        // Completer 2 finishes its share (the cycle still under way) and notifies while x searches.
        holder.release.countDown();
        completer2.join(10_000);
        afterOwnersShard.release.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());

        try {
            Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ownerShard.linkedCount() == linked - 2);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("3 s after two outside completions, every worker parked: " + ownerShard.linkedCount()
                    + " cells linked in the owner's shard, expected " + (linked - 2) + " (cycle under way: "
                    + ownerShard.sweeping + ")");
        }
    }

    private static int topSleeper(Idle idle) throws ReflectiveOperationException {
        Field sleepers = Idle.class.getDeclaredField("sleepers");
        Field count = Idle.class.getDeclaredField("sleeperCount");
        sleepers.setAccessible(true);
        count.setAccessible(true);
        synchronized (sleepers.get(idle)) {
            return ((int[]) sleepers.get(idle))[count.getInt(idle) - 1];
        }
    }
}

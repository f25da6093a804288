package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ret21 (the off-worker variant of review36's second path): an outside {@code cancel()} of an
 * idle cell in a worker's shard sweeps a share of it right away (review19 F3), but only if the
 * lock is free. If the owner holds it (linking just before it enters a long poll), the share is
 * skipped and left to the holder, which answers at its next turn or park: none comes while it
 * is stuck in that poll, and the other worker, parked, was never woken. The cancelled cell stayed
 * linked for the whole poll.
 *
 * <p>Deterministic: the stuck worker links a few idle cells itself, then, inside its long poll,
 * holds its shard's lock as a link does while this test's thread cancels one of them; it lets
 * the lock go and stays in the poll. Only this test's thread and the parked worker run meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutsideCancelWhileTheStuckOwnerLinksTest {

    private static final int IDLE = 4;

    private Scheduler scheduler;
    private final CountDownLatch endLongPoll = new CountDownLatch(1);

    @AfterEach
    void shutdown() {
        endLongPoll.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void anOutsideCancelThatFindsTheStuckOwnerLinkingIsUnlinkedDuringThePoll() throws Exception {
        scheduler = startScheduler(2, "cancel-stuck-", false);
        CountDownLatch inLongPoll = new CountDownLatch(1);
        CountDownLatch holdLock = new CountDownLatch(1);
        CountDownLatch lockHeld = new CountDownLatch(1);
        CountDownLatch releaseLock = new CountDownLatch(1);
        CountDownLatch lockReleased = new CountDownLatch(1);
        List<TaskCell<Void>> idle = new ArrayList<>();
        int[] stuck = {-1};
        scheduler.spawn((Callable<Integer>) () -> {
            stuck[0] = scheduler.currentWorker().index;
            TaskShard shard = scheduler.registry().shard(stuck[0]);
            do {
                idle.add(RegistryTestFixture.spawnLinkedAtOnce(scheduler, shard));
            } while (idle.size() < IDLE || shard.sweeping);
            inLongPoll.countDown();
            holdLock.await();
            shard.lockForLinking(); // as linkPending does on this worker
            lockHeld.countDown();
            releaseLock.await();
            shard.unlockAfterLinking(); // on a worker: nothing more (it "answers" at its next turn)
            lockReleased.countDown();
            endLongPoll.await(); // ... which the long poll defers
            return 0;
        }, Priority.NORMAL, "long-poll");
        assertThat(inLongPoll.await(10, TimeUnit.SECONDS)).isTrue();
        TaskShard shard = scheduler.registry().shard(stuck[0]);
        int peer = 1 - stuck[0];
        // The peer has polled every idle cell once (nothing completed) and parked.
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.isWorkerParked(peer) && !WorkerPark.hasQueuedWork(scheduler));
        assertThat(shard.linkedCount()).isEqualTo(IDLE);

        holdLock.countDown();
        assertThat(lockHeld.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(idle.get(0).cancel(false)).isTrue(); // completes it here, off the workers: the share finds the lock held
        releaseLock.countDown();
        assertThat(lockReleased.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> shard.linkedCount() == IDLE - 1);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("an idle cell cancelled from outside while its stuck owner held the shard's lock"
                    + " is still linked 5 s later (linked " + shard.linkedCount() + ", a cycle under way: "
                    + shard.sweeping + ", the peer parked: " + scheduler.isWorkerParked(peer) + ")");
        }
    }
}

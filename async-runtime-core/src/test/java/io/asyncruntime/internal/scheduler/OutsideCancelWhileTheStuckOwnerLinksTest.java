package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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

    private final CountDownLatch holdLock = new CountDownLatch(1);
    private final CountDownLatch lockHeld = new CountDownLatch(1);
    private final CountDownLatch releaseLock = new CountDownLatch(1);
    private final CountDownLatch lockReleased = new CountDownLatch(1);
    private StuckOwnerFixture fixture;

    @AfterEach
    void shutdown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anOutsideCancelThatFindsTheStuckOwnerLinkingIsUnlinkedDuringThePoll() throws Exception {
        // The peer has polled every idle cell once (nothing completed) and parked.
        fixture = new StuckOwnerFixture("cancel-stuck-", false, IDLE, shard -> {
            holdLock.await();
            shard.lockForLinking(); // as linkPending does on this worker
            lockHeld.countDown();
            releaseLock.await();
            shard.unlockAfterLinking(); // on a worker: nothing more (it "answers" at its next turn)
            lockReleased.countDown();
            // ... which the long poll defers
        });
        TaskShard shard = fixture.shard;
        assertThat(shard.linkedCount()).isEqualTo(IDLE);

        holdLock.countDown();
        assertThat(lockHeld.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fixture.idle.get(0).cancel(false)).isTrue(); // completes it here, off the workers: the share finds the lock held
        releaseLock.countDown();
        assertThat(lockReleased.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> shard.linkedCount() == IDLE - 1);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("an idle cell cancelled from outside while its stuck owner held the shard's lock"
                    + " is still linked 5 s later (linked " + shard.linkedCount() + ", a cycle under way: "
                    + shard.sweeping + ", the peer parked: " + fixture.scheduler.isWorkerParked(fixture.peer) + ")");
        }
    }
}

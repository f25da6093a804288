package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.Payload;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review36 (flake20's fix, 5650bab): while a worker is stuck in one long poll, its shard is swept
 * by the other workers' parks, and only if its lock is free. If the owner holds it when the peer
 * parks (linking a cell just before it enters the poll), the peer's park skips the shard and
 * leaves it to the holder, which answers at its next turn or park: none comes while it is stuck.
 * The result of the cell the peer completed stayed reachable for the whole long poll. Fixed by
 * the parked worker's watch ({@link StuckShardWatch}: it looks again while the owner stays in
 * that poll).
 *
 * <p>Deterministic: the stuck worker links the child and a few idle cells itself; the other
 * worker polls them and parks. Inside its long poll the stuck worker then holds its shard's lock
 * (as a link does) while the other worker wakes for the child only, completes it, and parks
 * once more; then it lets the lock go and stays in the poll. Only this test's thread and that
 * worker run anything meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review36StuckOwnersLockSkipsTheOnePeerParkTest {

    /** Idle cells linked after the child. */
    private static final int DEPTH = 4;

    private final CountDownLatch holdLock = new CountDownLatch(1);
    private final CountDownLatch lockHeld = new CountDownLatch(1);
    private final CountDownLatch releaseLock = new CountDownLatch(1);
    private StuckOwnerFixture fixture;

    @AfterEach
    void shutdown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aResultIsCollectableAfterThePeersParkFoundTheStuckOwnerLinking() throws Exception {
        fixture = new StuckOwnerFixture("deep-stuck-", true, DEPTH, shard -> {
            holdLock.await();
            shard.lockForLinking(); // as linkPending does on this worker
            lockHeld.countDown();
            releaseLock.await();
            shard.unlockAfterLinking(); // on a worker: nothing more (it "answers" at its next turn)
            // ... which the long poll defers
        });
        Scheduler scheduler = fixture.scheduler;
        int peer = fixture.peer;
        assertThat(fixture.shard.sweeping).isFalse();

        // Wakes the child from this thread: the peer runs it, completes it, and parks once more.
        holdLock.countDown();
        assertThat(lockHeld.await(10, TimeUnit.SECONDS)).isTrue();
        long parks = scheduler.workers()[peer].counters.get(WorkerCounters.PARKS);
        WeakReference<Payload> result = fixture.completeJoinAndDrop();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.workers()[peer].counters.get(WorkerCounters.PARKS) > parks
                        && scheduler.isWorkerParked(peer) && !WorkerPark.hasQueuedWork(scheduler));
        releaseLock.countDown();
        fixture.assertResultCollectedWhileStuck(result);
    }
}

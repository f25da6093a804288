package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.awaitCollected;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeJoinAndDrop;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.Payload;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
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

    private Scheduler scheduler;
    private final CountDownLatch endLongPoll = new CountDownLatch(1);

    @AfterEach
    void shutdown() {
        endLongPoll.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }

    /**
     * The child, counted and linked at once into {@code shard} and queued, on its worker; in a frame
     * of its own, so that no local of the long poll's frame keeps the cell.
     */
    private void spawnLinkedAtOnce(TaskShard shard, CompletableFuture<Payload> input,
            CompletableFuture<JoinHandle<Payload>> childHandle) {
        TaskCell<Payload> child = new TaskCell<>(shard, Task.fromCompletionStage(input), Priority.NORMAL);
        shard.register(child, false);
        scheduler.schedule(child, false);
        childHandle.complete(child);
    }

    @Test
    void aResultIsCollectableAfterThePeersParkFoundTheStuckOwnerLinking() throws Exception {
        scheduler = startScheduler(2, "deep-stuck-", false);
        CompletableFuture<Payload> input = new CompletableFuture<>();
        CompletableFuture<JoinHandle<Payload>> childHandle = new CompletableFuture<>();
        CountDownLatch inLongPoll = new CountDownLatch(1);
        CountDownLatch holdLock = new CountDownLatch(1);
        CountDownLatch lockHeld = new CountDownLatch(1);
        CountDownLatch releaseLock = new CountDownLatch(1);
        List<TaskCell<Void>> idle = new ArrayList<>();
        int[] stuck = {-1};
        scheduler.spawn((Callable<Integer>) () -> {
            stuck[0] = scheduler.currentWorker().index;
            TaskShard shard = scheduler.registry().shard(stuck[0]);
            // The child first (the oldest, at the tail), linked at once; then the idle cells, each
            // linked at once too, until no cycle is under way (the spawn path's steps end theirs).
            spawnLinkedAtOnce(shard, input, childHandle);
            do {
                idle.add(RegistryTestFixture.spawnLinkedAtOnce(scheduler, shard));
            } while (idle.size() < DEPTH || shard.sweeping);
            inLongPoll.countDown();
            holdLock.await();
            shard.lockForLinking(); // as linkPending does on this worker
            lockHeld.countDown();
            releaseLock.await();
            shard.unlockAfterLinking(); // on a worker: nothing more (it "answers" at its next turn)
            endLongPoll.await(); // ... which the long poll defers
            return 0;
        }, Priority.NORMAL, "long-poll");
        assertThat(inLongPoll.await(10, TimeUnit.SECONDS)).isTrue();
        TaskShard shard = scheduler.registry().shard(stuck[0]);
        int peer = 1 - stuck[0];
        // The peer has polled every cell once (all pending: nothing completed, so its parks
        // skipped the stuck shard) and parked.
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.isWorkerParked(peer) && !WorkerPark.hasQueuedWork(scheduler));
        assertThat(shard.linkedCount()).isEqualTo(idle.size() + 1);
        assertThat(shard.sweeping).isFalse();

        // Wakes the child from this thread: the peer runs it, completes it, and parks once more.
        holdLock.countDown();
        assertThat(lockHeld.await(10, TimeUnit.SECONDS)).isTrue();
        long parks = scheduler.workers()[peer].counters.get(WorkerCounters.PARKS);
        WeakReference<Payload> result = completeJoinAndDrop(input, childHandle);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> scheduler.workers()[peer].counters.get(WorkerCounters.PARKS) > parks
                        && scheduler.isWorkerParked(peer) && !WorkerPark.hasQueuedWork(scheduler));
        releaseLock.countDown();
        try {
            awaitCollected(result, Duration.ofSeconds(5));
        } catch (ConditionTimeoutException stillReachable) {
            throw new AssertionError("the joined and dropped result of a task the peer completed, " + idle.size()
                    + " idle cells after it in the shard of a worker stuck in a long poll, is still reachable"
                    + " 5 s after the peer's park (linked " + shard.linkedCount() + ", a cycle under way: "
                    + shard.sweeping + ")");
        }
    }
}

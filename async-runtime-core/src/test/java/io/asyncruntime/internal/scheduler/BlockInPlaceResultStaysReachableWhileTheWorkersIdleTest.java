package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review19 (issue 10, reg10c 907756a): a task that called {@code blockInPlace} completes on the
 * thread that handed its worker over, a thread that runs no worker; the completion only sets the
 * shard's dirty hint. If every worker has parked meanwhile (the replacement found nothing to do),
 * no sweep runs until some worker next has work, and the task's result stays reachable from the
 * registry after its handle was joined and dropped: the runtime may stay idle for hours. TaskShard's
 * class comment names only an outside {@code cancel()} for this case, whose outcome is a small
 * exception; here it is the task's real result.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockInPlaceResultStaysReachableWhileTheWorkersIdleTest {

    private Scheduler scheduler;
    private final CountDownLatch proceed = new CountDownLatch(1);

    @AfterEach
    void shutdown() {
        proceed.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }

    /** A result big enough to matter. */
    static final class Payload {
        final byte[] bytes = new byte[1 << 20];
    }

    @Test
    void aBlockInPlaceTasksResultIsCollectableOnceItsHandleIsDropped() throws Exception {
        scheduler = RegistryTestFixture.startScheduler(2, "bip-result-", true);

        CountDownLatch handedOver = new CountDownLatch(1);
        JoinHandle<Payload> handle = scheduler.spawn((Callable<Payload>) () -> {
            BlockInPlace.handOverCurrentWorker();
            handedOver.countDown();
            proceed.await();
            return new Payload();
        }, Priority.NORMAL, "block-in-place");
        assertThat(handedOver.await(10, TimeUnit.SECONDS)).isTrue();
        // Both workers (the other one and the replacement) find nothing to do and park.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> scheduler.isWorkerParked(0) && scheduler.isWorkerParked(1));

        WeakReference<Payload> result = releaseJoinAndDrop(handle);
        handle = null;

        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return result.get() == null;
            });
        } catch (ConditionTimeoutException stillReachable) {
            throw new AssertionError("the result of a blockInPlace task, joined and dropped, is still reachable after"
                    + " 5 s of GCs while every worker is parked (no sweep runs until a worker has work)"
                    + "; after one sweep of the worker shards it " + (goneAfterASweep(result) ? "was collected" : "was still reachable"));
        }
    }

    /** In a frame of its own, so that no local of the test keeps the result. */
    private WeakReference<Payload> releaseJoinAndDrop(JoinHandle<Payload> handle) throws Exception {
        proceed.countDown();
        return new WeakReference<>(handle.get(10, TimeUnit.SECONDS));
    }

    /** Whether the result goes once both worker shards are swept (from this thread: a sweep only tryLocks). */
    private boolean goneAfterASweep(WeakReference<?> ref) {
        scheduler.registry().sweep(0, true);
        scheduler.registry().sweep(1, true);
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }
}

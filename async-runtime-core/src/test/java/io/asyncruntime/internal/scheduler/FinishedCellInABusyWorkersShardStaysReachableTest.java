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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review19 (issue 10, reg10c 907756a): a worker's shard is swept only by its owner (at its driver
 * turns and parks) or, while the owner is parked, by the other workers. While the owner is inside
 * one long poll (a task blocking its worker: the case a stall detector and a task dump exist
 * for), it turns no driver and is not parked, so nobody sweeps its shard: a task it spawned that
 * another worker completes keeps its result reachable from the registry for as long as that
 * poll lasts, though its handle was joined and dropped, and the other worker keeps working and
 * parking all the while.
 *
 * <p>Before reg10c the completing thread unlinked the cell at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FinishedCellInABusyWorkersShardStaysReachableTest {

    private Scheduler scheduler;
    private final CountDownLatch endLongPoll = new CountDownLatch(1);

    @AfterEach
    void shutdown() {
        endLongPoll.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void aResultCompletedByAnotherWorkerIsCollectableWhileTheSpawnersWorkerIsInALongPoll() throws Exception {
        scheduler = startScheduler(2, "busy-shard-", false);

        CompletableFuture<Payload> input = new CompletableFuture<>();
        CompletableFuture<JoinHandle<Payload>> childHandle = new CompletableFuture<>();
        CountDownLatch inLongPoll = new CountDownLatch(1);
        // The spawner: links a child into its worker's shard (no LIFO slot: the child goes to the
        // worker's queue, where the other worker steals it), then blocks its worker.
        scheduler.spawn((Callable<Integer>) () -> {
            childHandle.complete(scheduler.spawn(Task.fromCompletionStage(input), Priority.NORMAL, "child"));
            inLongPoll.countDown();
            endLongPoll.await();
            return 0;
        }, Priority.NORMAL, "long-poll");
        assertThat(inLongPoll.await(10, TimeUnit.SECONDS)).isTrue();

        WeakReference<Payload> result = completeJoinAndDrop(input, childHandle);

        // The other worker keeps working and parking meanwhile.
        for (int i = 0; i < 50; i++) {
            int value = i;
            assertThat(scheduler.spawn((Callable<Integer>) () -> value, Priority.NORMAL, null).get(10, TimeUnit.SECONDS))
                    .isEqualTo(i);
        }
        try {
            awaitCollected(result, Duration.ofSeconds(5));
        } catch (ConditionTimeoutException stillReachable) {
            throw new AssertionError("the result of a joined task whose handle was dropped is still reachable after 5 s"
                    + " of GCs and 50 tasks run by the other worker, while the spawner's worker is in a long poll"
                    + " (its shard is swept by nobody)"
                    + "; after one sweep of the worker shards it " + (goneAfterASweep(result) ? "was collected" : "was still reachable"));
        }
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

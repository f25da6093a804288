package io.asyncruntime.internal.scheduler;

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

/**
 * For the retention tests of a stuck owner's shard (ShardSweep, "Sweeps"; StuckShardWatch): a
 * two-worker scheduler with one worker stuck in a long poll. In that poll the worker links into
 * its own shard, each at once, the child waiting on {@link #input} if asked (first: the oldest,
 * at the tail), then idle cells until there are at least {@code depth} and no sweep cycle is
 * under way (the spawn path's steps end theirs); then it runs the test's {@link InPoll} step and
 * stays in the poll until {@link #close}. The constructor returns once the other worker has
 * polled every cell (all pending: nothing completed, so its parks skipped the stuck shard) and
 * parked with nothing queued. Only the test's thread and that worker run anything meanwhile.
 */
final class StuckOwnerFixture implements AutoCloseable {

    /** What the stuck worker does in its long poll once its cells are linked, on its thread. */
    @FunctionalInterface
    interface InPoll {
        void run(TaskShard shard) throws Exception;
    }

    final Scheduler scheduler;
    /** The child's input: completing it wakes the child, which the peer then runs. */
    final CompletableFuture<Payload> input = new CompletableFuture<>();
    /** The child's handle, if a child was linked. */
    final CompletableFuture<JoinHandle<Payload>> childHandle = new CompletableFuture<>();
    /** The idle cells, oldest first; filled by the stuck worker before the constructor returns. */
    final List<TaskCell<Void>> idle = new ArrayList<>();
    final int stuck;
    final int peer;
    final TaskShard shard;
    private final CountDownLatch endLongPoll = new CountDownLatch(1);

    StuckOwnerFixture(String threadPrefix, boolean withChild, int depth, InPoll inPoll) throws InterruptedException {
        scheduler = RegistryTestFixture.startScheduler(2, threadPrefix, false);
        try {
            CountDownLatch inLongPoll = new CountDownLatch(1);
            int[] stuckIndex = {-1};
            scheduler.spawn((Callable<Integer>) () -> {
                stuckIndex[0] = scheduler.currentWorker().index;
                TaskShard own = scheduler.registry().shard(stuckIndex[0]);
                if (withChild) {
                    spawnChildLinkedAtOnce(own);
                }
                do {
                    idle.add(RegistryTestFixture.spawnLinkedAtOnce(scheduler, own));
                } while (idle.size() < depth || own.sweeping);
                inLongPoll.countDown();
                inPoll.run(own);
                endLongPoll.await();
                return 0;
            }, Priority.NORMAL, "long-poll");
            assertThat(inLongPoll.await(10, TimeUnit.SECONDS)).isTrue();
            stuck = stuckIndex[0];
            peer = 1 - stuck;
            shard = scheduler.registry().shard(stuck);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> scheduler.isWorkerParked(peer) && !WorkerPark.hasQueuedWork(scheduler));
            assertThat(shard.linkedCount()).isEqualTo(idle.size() + (withChild ? 1 : 0));
        } catch (RuntimeException | Error | InterruptedException failed) {
            close();
            throw failed;
        }
    }

    /**
     * The child, counted and linked at once into {@code own} and queued, on its worker; in a frame
     * of its own, so that no local of the long poll's frame keeps the cell.
     */
    private void spawnChildLinkedAtOnce(TaskShard own) {
        TaskCell<Payload> child = new TaskCell<>(own, Task.fromCompletionStage(input), Priority.NORMAL);
        own.register(child, false);
        scheduler.schedule(child, false);
        childHandle.complete(child);
    }

    /** Completes the child's input from this thread, joins the child and keeps only a weak reference to its result. */
    WeakReference<Payload> completeJoinAndDrop() throws Exception {
        return RegistryTestFixture.completeJoinAndDrop(input, childHandle);
    }

    /** Fails, saying where the shard stands, unless the child's {@code result} is collected within 5 s. */
    void assertResultCollectedWhileStuck(WeakReference<Payload> result) {
        try {
            RegistryTestFixture.awaitCollected(result, Duration.ofSeconds(5));
        } catch (ConditionTimeoutException stillReachable) {
            throw new AssertionError("the joined and dropped result of a task the peer completed, " + idle.size()
                    + " idle cells after it in the shard of a worker stuck in a long poll, is still reachable"
                    + " 5 s after the peer's park (linked " + shard.linkedCount() + ", a cycle under way: "
                    + shard.sweeping + ")");
        }
    }

    /** Ends the long poll and shuts the scheduler down. */
    @Override
    public void close() {
        endLongPoll.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }
}

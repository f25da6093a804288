package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lazy linking (lazy10, {@link LazyLink}): a worker's spawn is linked into the registry only at
 * its first pending return, so a shutdown's abort walk does not see the cells queued for, or in,
 * their first poll. The two ends of that first poll close the gap ("Abort", cases 1 and 2), and a
 * dump still lists those cells. One worker, held inside a task (a latch), so that what it spawned
 * stays queued or in its poll while the test looks. Deterministic: no sleeps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyLinkAbortGapsTest {

    private Scheduler scheduler;
    private TaskRegistry registry;
    private final CountDownLatch inPoll = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);

    @BeforeEach
    void start() {
        scheduler = RegistryTestFixture.startScheduler(1, "lazy-link-", true);
        registry = scheduler.registry();
    }

    @AfterEach
    void shutdown() {
        letGo.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }

    /** Spawns {@code task} from a task on the worker (a worker's spawn: counted, not linked) and returns its handle. */
    private <T> JoinHandle<T> spawnOnTheWorker(Task<T> task) throws Exception {
        AtomicReference<JoinHandle<T>> child = new AtomicReference<>();
        scheduler.spawn((Callable<Void>) () -> {
            child.set(scheduler.spawn(task, Priority.NORMAL, "child"));
            return null;
        }, Priority.NORMAL, "parent").get(10, TimeUnit.SECONDS);
        return child.get();
    }

    /** A task whose first poll waits for {@link #letGo} (holding the worker), then returns pending for good. */
    private Task<Void> blocksInItsFirstPollThenIdles() {
        return cx -> {
            inPoll.countDown();
            letGo.await();
            return Poll.pending();
        };
    }

    @Test
    void aTaskInItsFirstPollWhenTheAbortWalksIsCancelledAtItsPendingReturn() throws Exception {
        JoinHandle<Void> child = spawnOnTheWorker(blocksInItsFirstPollThenIdles());
        assertThat(inPoll.await(10, TimeUnit.SECONDS)).isTrue();
        registry.refuseAll();
        AbortWalk walk = registry.newAbortWalk();
        assertThat(walk.found()).isZero(); // the child is in no shard yet
        walk.run();
        letGo.countDown();
        // Case 1: its link reads REFUSING_ALL under the shard's lock and cancels it instead.
        // With the link ignoring the refusal it would stay idle and linked, never aborted.
        assertThatThrownBy(() -> child.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
        assertThat(registry.shard(0).linkedCount()).isZero();
    }

    @Test
    void aTaskQueuedForItsFirstPollWhenTheAbortBeganIsCancelledNotPolled() throws Exception {
        AtomicBoolean polled = new AtomicBoolean();
        AtomicReference<JoinHandle<Void>> queued = new AtomicReference<>();
        JoinHandle<Void> holder = scheduler.spawn((Callable<Void>) () -> {
            queued.set(scheduler.spawn((Runnable) () -> polled.set(true), Priority.NORMAL, "queued"));
            inPoll.countDown();
            letGo.await(); // the child waits in the LIFO slot meanwhile
            return null;
        }, Priority.NORMAL, "holder");
        assertThat(inPoll.await(10, TimeUnit.SECONDS)).isTrue();
        registry.refuseAll();
        registry.newAbortWalk().run(); // reaches the holder (an outside spawn, linked), not the child
        letGo.countDown();
        holder.get(10, TimeUnit.SECONDS);
        // Case 2: its first poll starts after REFUSING_ALL, so it is cancelled, not run. Without
        // the check it would run to completion after the abort.
        assertThatThrownBy(() -> queued.get().get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
        assertThat(polled).isFalse();
    }

    @Test
    void aDumpListsAWorkersSpawnsQueuedAndInTheirFirstPoll() throws Exception {
        int children = 3 * LocalQueue.CAPACITY; // some wait in the LIFO slot, the ring and the inject queue
        JoinHandle<Void> running = spawnOnTheWorker(cx -> {
            for (int i = 0; i < children; i++) {
                scheduler.spawn(Task.<Void>never(), Priority.NORMAL, null);
            }
            inPoll.countDown();
            letGo.await();
            return Poll.pending();
        });
        assertThat(inPoll.await(10, TimeUnit.SECONDS)).isTrue();
        Map<LiveTaskDump.LiveTaskState, Integer> byState = new EnumMap<>(LiveTaskDump.LiveTaskState.class);
        int visited = LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) ->
                byState.merge(state, 1, Integer::sum));
        assertThat(registry.shard(0).linkedCount()).isLessThanOrEqualTo(1); // the parent, finished; the rest unlinked
        assertThat(visited).isEqualTo(children + 1);
        assertThat(byState).containsEntry(LiveTaskDump.LiveTaskState.QUEUED, children)
                .containsEntry(LiveTaskDump.LiveTaskState.RUNNING, 1);
        letGo.countDown();
        // Each goes idle at its first poll, and so is linked, once.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked()
                && scheduler.inject(Priority.NORMAL.ordinal()).isEmpty());
        assertThat(running.isDone()).isFalse();
        int idle = LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancel) ->
                assertThat(state).isEqualTo(LiveTaskDump.LiveTaskState.IDLE));
        assertThat(idle).isEqualTo(children + 1);
        assertThat(registry.shard(0).snapshotAll()).hasSize(children + 1).doesNotHaveDuplicates();
    }
}

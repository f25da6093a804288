package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * The set-up the live-task registry's reproducers share (issue 10's reviews 19 to 21 and Q2):
 * a real scheduler with the tests' small configuration, cells linked straight into a shard and
 * completed the way a thread that runs no worker completes them, a gate cell that holds a
 * sweeper inside its visit, and the reachability checks. Each test still states its own scenario
 * and its own assertions; this holds only what they wrote alike.
 */
final class RegistryTestFixture {

    /**
     * A spawn-path sweep slack no test reaches: the spawn path never sweeps, so only the turns,
     * the parks and the off-worker shares unlink (see {@link ShardSweep}, "Sweeps").
     */
    static final int NO_SPAWN_PATH_SWEEPS = Integer.MAX_VALUE / 4;

    /** Cells a test spawns at most while waiting for the spawn path's state it wants. */
    static final int SPAWN_LIMIT = 100_000;

    private RegistryTestFixture() {
    }

    /**
     * A started scheduler of {@code workers} workers with the tests' usual configuration (event
     * interval 61, parks through a {@link ThreadParkDriver}); {@code lifoSlot}: whether a spawn
     * on a worker goes to its LIFO slot (false makes the child stealable at once).
     */
    static Scheduler startScheduler(int workers, String threadPrefix, boolean lifoSlot) {
        Scheduler scheduler = new Scheduler(new SchedulerConfig(workers, threadPrefix, 31, 61, lifoSlot, 3,
                new int[] {0, 25, 10}, () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        return scheduler;
    }

    /** An {@code @AfterEach}'s shutdown: the scheduler, if the test got as far as starting one. */
    static void shutdown(Scheduler scheduler) {
        if (scheduler != null) {
            scheduler.shutdown(Duration.ofSeconds(5));
        }
    }

    /** An idle cell (it never completes by itself), linked into {@code shard} from this thread. */
    static TaskCell<Void> idleCell(TaskShard shard) {
        TaskCell<Void> cell = new TaskCell<>(shard, Task.never(), Priority.NORMAL);
        shard.register(cell, false);
        return cell;
    }

    /**
     * What {@code TaskCell.complete} does for the registry, on a thread that runs no worker: counts
     * the completion, publishes COMPLETE, then tells the shard (with a scheduler, this thread then
     * sweeps a share itself: see {@link ShardSweep}, "Sweeps").
     */
    static void completeOffTheWorkers(TaskShard shard, TaskCell<?> cell) {
        shard.unregister(cell);
        CancellableCell.STATE.getAndBitwiseOr(cell, TaskState.COMPLETE);
        shard.finished(cell);
    }

    /**
     * A cell whose state read (a sweep's visit, a reader's copy) holds the first thread its
     * predicate accepts at a gate, once: {@link #reached} opens when that thread arrives, and it
     * goes on when {@link #release} opens. Completed by hand at the end if a test needs the counts
     * balanced.
     */
    static final class GateCell extends TaskCell<Void> {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile Predicate<Thread> armedFor;

        GateCell(TaskShard shard) {
            super(shard, Task.never(), Priority.NORMAL);
        }

        /** Holds {@code thread} at its next state read of this cell. */
        void stopOn(Thread thread) {
            armedFor = t -> t == thread;
        }

        @Override
        int state() {
            Predicate<Thread> armed = armedFor;
            if (armed != null && armed.test(Thread.currentThread())) {
                armedFor = null;
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.state();
        }
    }

    /**
     * Whether a worker spawning into {@code shard} should go on spawning idle children, having
     * spawned {@code spawned}: until the spawn path has visited a whole turn's share since the
     * last turn and no cycle is under way (fields the owner alone writes, read on the owner), and
     * at least four turns' shares are linked; never past {@link #SPAWN_LIMIT}.
     */
    static boolean spawnCreditNotYetFull(TaskShard shard, int spawned) {
        return spawned < SPAWN_LIMIT
                && (spawned < 4 * ShardSweep.TICK_SWEEP_BUDGET || shard.sweeping
                    || shard.spawnVisits < ShardSweep.TICK_SWEEP_BUDGET);
    }

    /**
     * On a worker whose shard is {@code shard}: an idle-forever child spawned as before lazy
     * linking (lazy10, {@link LazyLink}): counted and linked at its spawn, with the push path's
     * sweep step there, so that these tests fill the push path's credit while spawning (a child
     * spawned by {@code Scheduler.spawn} is linked only at its first poll, after the spawner's).
     */
    static TaskCell<Void> spawnLinkedAtOnce(Scheduler scheduler, TaskShard shard) {
        TaskCell<Void> cell = new TaskCell<>(shard, Task.never(), Priority.NORMAL);
        shard.register(cell, false);
        scheduler.schedule(cell, false);
        return cell;
    }

    /**
     * On the one worker of {@code scheduler}, whose shard is {@code shard}: idle children until
     * the spawn path's credit is full (see {@link #spawnCreditNotYetFull}); then waits until the
     * worker has parked, and checks that every child is linked. Returns their handles, oldest
     * first.
     */
    static List<JoinHandle<Void>> burstOfIdleChildrenThenParked(Scheduler scheduler, TaskShard shard)
            throws Exception {
        List<JoinHandle<Void>> children = scheduler.spawn((Callable<List<JoinHandle<Void>>>) () -> {
            List<JoinHandle<Void>> spawned = new ArrayList<>();
            do {
                spawned.add(spawnLinkedAtOnce(scheduler, shard));
            } while (spawnCreditNotYetFull(shard, spawned.size()));
            return spawned;
        }, Priority.NORMAL, "spawner").get(10, TimeUnit.SECONDS);
        assertThat(children.size()).isLessThan(SPAWN_LIMIT);
        // The worker polls each child once (nothing completes: its turns and its park skip the
        // shard), then parks past its park sweep.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());
        assertThat(shard.linkedCount()).isEqualTo(children.size());
        return children;
    }

    /**
     * Cancels {@code children}'s cell at {@code index} from this thread (so it completes here, off
     * the workers) and drops it from the list; in a frame of its own, so that no local of the test
     * keeps the handle.
     */
    static WeakReference<JoinHandle<Void>> cancelAndDrop(List<JoinHandle<Void>> children, int index) {
        JoinHandle<Void> victim = children.remove(index);
        assertThat(victim.cancel(false)).isTrue(); // completes it here, on the test's thread
        assertThat(victim.isDone()).isTrue();
        return new WeakReference<>(victim);
    }

    /** A result big enough to matter. */
    static final class Payload {
        final byte[] bytes = new byte[1 << 20];
    }

    /**
     * Completes {@code input} from this thread (which wakes the child: a worker runs it), joins
     * the child and drops every reference the test held to it and to its result; in a frame of
     * its own, so that no local of the test keeps the handle or the result.
     */
    static WeakReference<Payload> completeJoinAndDrop(CompletableFuture<Payload> input,
            CompletableFuture<JoinHandle<Payload>> childHandle) throws Exception {
        JoinHandle<Payload> child = childHandle.get(10, TimeUnit.SECONDS);
        childHandle.obtrudeValue(null);
        input.complete(new Payload()); // wakes the child from this thread: the other worker runs it
        Payload payload = child.get(10, TimeUnit.SECONDS);
        input.obtrudeValue(null);
        return new WeakReference<>(payload);
    }

    /**
     * Waits, up to {@code atMost}, for {@code ref} to be cleared, a GC before each look (every
     * 50 ms); throws Awaitility's {@code ConditionTimeoutException} if it is not.
     */
    static void awaitCollected(WeakReference<?> ref, Duration atMost) {
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return ref.get() == null;
        });
    }
}

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review20 R1 (issue 10, reg10e a082534): a sweep with a driver turn's budget takes the cells the
 * spawn path visited since the owner's last turn ({@code spawnVisits}) off its own budget. That
 * credit is meant for the owner's next turn; but the sweep an outside completer runs right after
 * completing a cell (review19 F3: the workers may all be parked) has a turn's budget too, and so
 * it spends the credit instead: after a burst of spawns whose cycle ended before any turn looked
 * (no completion since: every turn and the park skip the shard, keeping the credit), an outside
 * {@code cancel()} while the worker is parked visits nothing, and the cancelled cell stays linked
 * (and reachable) until the worker next has work. Deterministic: one worker, parked, and only
 * this test's thread completes anything. The completed cell is the newest (the head), so that a
 * sweep with its whole budget reaches it (cells further in are review20 R4).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffWorkerSweepSpentOnTheSpawnsVisitsTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        if (scheduler != null) {
            scheduler.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void anOutsideCancelUnlinksItsCellAfterABurstOfSpawnsWhileTheWorkerIsParked() throws Exception {
        scheduler = new Scheduler(new SchedulerConfig(1, "spawn-credit-", 31, 61, true, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        TaskShard shard = scheduler.registry().shard(0);

        // On the worker: idle children until the spawn path has visited a whole turn's share
        // since the last turn and no cycle is under way (fields the owner alone writes here).
        List<JoinHandle<Void>> children = scheduler.spawn((Callable<List<JoinHandle<Void>>>) () -> {
            List<JoinHandle<Void>> spawned = new ArrayList<>();
            do {
                spawned.add(scheduler.spawn(Task.<Void>never(), Priority.NORMAL, null));
            } while (spawned.size() < 100_000
                    && (spawned.size() < 4 * ShardSweep.TICK_SWEEP_BUDGET || shard.sweeping
                        || shard.spawnVisits < ShardSweep.TICK_SWEEP_BUDGET));
            return spawned;
        }, Priority.NORMAL, "spawner").get(10, TimeUnit.SECONDS);
        assertThat(children.size()).isLessThan(100_000);
        // The worker polls each child once (nothing completes: its turns and its park skip the
        // shard), then parks past its park sweep.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());
        int linked = shard.linkedCount();
        assertThat(linked).isEqualTo(children.size());

        WeakReference<JoinHandle<Void>> cancelled = cancelOneAndDrop(children);
        assertThat(shard.linkedCount())
                .as("cells linked after an outside cancel() of one of %d idle tasks, the worker parked"
                        + " (the canceller's own sweep should unlink it)", linked)
                .isEqualTo(linked - 1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return cancelled.get() == null;
        });
    }

    /** A result big enough to matter. */
    static final class Payload {
        final byte[] bytes = new byte[1 << 20];
    }

    /**
     * The same credit spent by a parking worker's share of a stuck worker's shard (review19 F2):
     * the spawner's worker bursts spawns, then blocks in a long poll; the other worker runs a
     * child to completion and parks, and its one sweep of the stuck worker's shard takes the
     * spawn path's 128 off its turn's budget: the child's result stays reachable for the whole
     * long poll (the other worker has no more work, so it never parks again).
     */
    @Test
    void aResultCompletedByAnotherWorkerIsCollectableAfterABurstOfSpawnsAndALongPoll() throws Exception {
        scheduler = new Scheduler(new SchedulerConfig(2, "spawn-credit-stuck-", 31, 61, false, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        CompletableFuture<Payload> input = new CompletableFuture<>();
        CompletableFuture<JoinHandle<Payload>> childHandle = new CompletableFuture<>();
        CountDownLatch inLongPoll = new CountDownLatch(1);
        CountDownLatch endLongPoll = new CountDownLatch(1);
        List<JoinHandle<Void>> idle = new CopyOnWriteArrayList<>();
        try {
            scheduler.spawn((Callable<Integer>) () -> {
                TaskShard shard = scheduler.registry().shard(scheduler.currentWorker().index);
                List<JoinHandle<Void>> spawned = new ArrayList<>();
                do {
                    spawned.add(scheduler.spawn(Task.<Void>never(), Priority.NORMAL, null));
                } while (spawned.size() < 100_000
                        && (spawned.size() < 4 * ShardSweep.TICK_SWEEP_BUDGET || shard.sweeping
                            || shard.spawnVisits < ShardSweep.TICK_SWEEP_BUDGET
                            || shard.linked + 1 >= shard.sweepTrigger));
                idle.addAll(spawned);
                // Last, at the head (the first cell a new cycle visits), starting no cycle.
                childHandle.complete(scheduler.spawn(Task.fromCompletionStage(input), Priority.NORMAL, "child"));
                inLongPoll.countDown();
                endLongPoll.await();
                return 0;
            }, Priority.NORMAL, "long-poll");
            assertThat(inLongPoll.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(idle.size()).isLessThan(100_000);

            WeakReference<Payload> result = completeJoinAndDrop(input, childHandle);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    System.gc();
                    return result.get() == null;
                });
            } catch (ConditionTimeoutException stillReachable) {
                throw new AssertionError("the joined and dropped result of a task the other worker ran is still"
                        + " reachable after 5 s of GCs, the spawner's worker in a long poll after a burst of spawns"
                        + " (the other worker's one parking sweep of its shard spent the spawn path's credit)");
            }
        } finally {
            endLongPoll.countDown();
        }
    }

    /** In a frame of its own, so that no local of the test keeps the handle or the result. */
    private static WeakReference<Payload> completeJoinAndDrop(CompletableFuture<Payload> input,
            CompletableFuture<JoinHandle<Payload>> childHandle) throws Exception {
        JoinHandle<Payload> child = childHandle.get(10, TimeUnit.SECONDS);
        childHandle.obtrudeValue(null);
        input.complete(new Payload()); // wakes the child from this thread: the other worker runs it
        Payload payload = child.get(10, TimeUnit.SECONDS);
        input.obtrudeValue(null);
        return new WeakReference<>(payload);
    }

    /** In a frame of its own, so that no local of the test keeps the handle. */
    private static WeakReference<JoinHandle<Void>> cancelOneAndDrop(List<JoinHandle<Void>> children) {
        // The newest: the head, the first cell a sweep starting a cycle visits (review20 R4 is
        // about cells further in).
        JoinHandle<Void> victim = children.remove(children.size() - 1);
        assertThat(victim.cancel(false)).isTrue(); // completes it here, on the test's thread
        assertThat(victim.isDone()).isTrue();
        return new WeakReference<>(victim);
    }
}

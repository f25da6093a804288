package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.SPAWN_LIMIT;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.awaitCollected;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.burstOfIdleChildrenThenParked;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.cancelAndDrop;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeJoinAndDrop;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.spawnCreditNotYetFull;
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
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void anOutsideCancelUnlinksItsCellAfterABurstOfSpawnsWhileTheWorkerIsParked() throws Exception {
        scheduler = startScheduler(1, "spawn-credit-", true);
        TaskShard shard = scheduler.registry().shard(0);

        // On the worker: idle children until the spawn path has visited a whole turn's share
        // since the last turn and no cycle is under way; then the worker parks.
        List<JoinHandle<Void>> children = burstOfIdleChildrenThenParked(scheduler, shard);
        int linked = shard.linkedCount();

        // The newest: the head, the first cell a sweep starting a cycle visits (review20 R4 is
        // about cells further in).
        WeakReference<JoinHandle<Void>> cancelled = cancelAndDrop(children, children.size() - 1);
        assertThat(shard.linkedCount())
                .as("cells linked after an outside cancel() of one of %d idle tasks, the worker parked"
                        + " (the canceller's own sweep should unlink it)", linked)
                .isEqualTo(linked - 1);
        awaitCollected(cancelled, Duration.ofSeconds(5));
    }

    /**
     * The same credit spent by a parking worker's share of a stuck worker's shard (review19 F2):
     * the spawner's worker bursts spawns, then blocks in a long poll; the other worker runs a
     * child to completion and parks, and its one sweep of the stuck worker's shard takes the
     * spawn path's 128 off its turn's budget: the child's result stays reachable for the whole
     * long poll (the other worker has no more work, so it never parks again).
     *
     * <p>Since lazy linking the children are linked by the other worker as it polls them, after
     * the spawner looked at the list: the child may be linked behind idle children or while a
     * cycle is under way, deeper than a turn's share. That failed in about one run in twenty under
     * load (flake20: the child at the head, a spawn-path cycle under way with its cursor hundreds
     * of cells in, the other worker parked) and is now covered by the park's whole budget for a
     * stuck owner's shard; {@link ResultDeepInAStuckWorkersShardCollectableAfterOnePeerParkTest} is
     * its deterministic form. A rarer error here, "task child did not finish", was the child left
     * in the spawner's ring with the other worker parked (pushLocal's wake rule, which leaves a
     * worker stuck in one poll to the stall detector): the outside spawn below wakes that worker.
     */
    @Test
    void aResultCompletedByAnotherWorkerIsCollectableAfterABurstOfSpawnsAndALongPoll() throws Exception {
        scheduler = startScheduler(2, "spawn-credit-stuck-", false);
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
                } while (spawnCreditNotYetFull(shard, spawned.size())
                        || spawned.size() < SPAWN_LIMIT && shard.linked + 1 >= shard.sweepTrigger);
                idle.addAll(spawned);
                // Last, at the head (the first cell a new cycle visits), starting no cycle.
                childHandle.complete(scheduler.spawn(Task.fromCompletionStage(input), Priority.NORMAL, "child"));
                inLongPoll.countDown();
                endLongPoll.await();
                return 0;
            }, Priority.NORMAL, "long-poll");
            assertThat(inLongPoll.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(idle.size()).isLessThan(SPAWN_LIMIT);
            // The other worker may have parked while the spawner's ring still held the child: a
            // push into a ring that already holds work wakes nobody (WorkerQueues.pushLocal), and
            // what sends a searcher to a worker stuck in one poll is the runtime's stall detector,
            // which this scheduler does not run. An outside spawn wakes the other worker, which
            // then searches until the stuck worker's ring is empty.
            assertThat(scheduler.spawn((Callable<Integer>) () -> 0, Priority.NORMAL, "rouse").get(10, TimeUnit.SECONDS))
                    .isZero();

            WeakReference<Payload> result = completeJoinAndDrop(input, childHandle);
            try {
                awaitCollected(result, Duration.ofSeconds(5));
            } catch (ConditionTimeoutException stillReachable) {
                throw new AssertionError("the joined and dropped result of a task the other worker ran is still"
                        + " reachable after 5 s of GCs, the spawner's worker in a long poll after a burst of spawns"
                        + " (the other worker's one parking sweep of its shard spent the spawn path's credit)");
            }
        } finally {
            endLongPoll.countDown();
        }
    }
}

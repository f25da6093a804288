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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
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
 * this test's thread completes anything.
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
                    && (spawned.size() < 4 * TaskShard.TICK_SWEEP_BUDGET || shard.sweeping
                        || shard.spawnVisits < TaskShard.TICK_SWEEP_BUDGET));
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

    /** In a frame of its own, so that no local of the test keeps the handle. */
    private static WeakReference<JoinHandle<Void>> cancelOneAndDrop(List<JoinHandle<Void>> children) {
        JoinHandle<Void> victim = children.remove(children.size() / 2);
        assertThat(victim.cancel(false)).isTrue(); // completes it here, on the test's thread
        assertThat(victim.isDone()).isTrue();
        return new WeakReference<>(victim);
    }
}

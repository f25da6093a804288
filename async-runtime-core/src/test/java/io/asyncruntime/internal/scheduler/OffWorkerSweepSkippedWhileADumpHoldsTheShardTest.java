package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.startScheduler;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.GateCell;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review20 R2 (issue 10; reg10e and main alike): the sweep an outside completer runs right after
 * completing a cell (review19 F3: the workers may all be parked) only tryLocks the shard, and is
 * skipped if the lock is held. If the holder is a reader (a task dump copying the shard, a
 * metrics read of {@code insertedExact}), nobody sweeps after it: the dirty hint stays set, the
 * workers stay parked, and the completed cell (its outcome) stays linked until some worker next
 * has work. Deterministic: the dump is held inside its copy by a gate cell while the cancel runs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffWorkerSweepSkippedWhileADumpHoldsTheShardTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void anOutsideCancelDuringADumpIsUnlinkedOnceTheDumpEnds() throws Exception {
        scheduler = startScheduler(1, "dump-skip-", true);
        TaskShard shard = scheduler.registry().shard(0);
        JoinHandle<Void> idle = scheduler.spawn(
                (Callable<JoinHandle<Void>>) () -> scheduler.spawn(Task.<Void>never(), Priority.NORMAL, "idle"),
                Priority.NORMAL, null).get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.idle().allParked());

        // A dump's copy of the worker's shard, held at its first cell (a gate, registered last).
        GateCell gate = new GateCell(shard);
        shard.register(gate, false);
        assertThat(shard.linkedCount()).isEqualTo(2);
        Thread dump = new Thread(() -> LiveTaskDump.forEachLive(scheduler.registry(), 100, (n, l, s, a, p, sp, c) -> { }), "dump");
        gate.stopOn(dump);
        dump.start();
        assertThat(gate.reached.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(idle.cancel(false)).isTrue(); // completes it here, on the test's thread, during the dump
        gate.release.countDown();
        dump.join(10_000);

        try {
            Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> shard.linkedCount() == 1);
        } catch (ConditionTimeoutException stillLinked) {
            throw new AssertionError("an idle task cancelled from outside while a dump held its shard's lock is still"
                    + " linked 2 s after the dump ended, the worker parked (nobody sweeps until it has work)");
        } finally {
            completeOffTheWorkers(shard, gate); // balance the registry's counts for the shutdown
        }
    }
}

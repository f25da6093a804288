package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.Payload;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * flake20 (the JDK 25 flake of {@code OffWorkerSweepSpentOnTheSpawnsVisitsTest}'s second case):
 * while a worker is stuck in one long poll, its shard is swept only by the other workers' parks
 * (review19 F2), and each took a turn's share of it ({@link ShardSweep#TICK_SWEEP_BUDGET} cells).
 * A cell that another worker completes deeper in that shard than a turn's share (behind more
 * than 128 cells linked after it, or behind a cycle under way) stays linked after that worker's
 * park; if it has no more work it never parks again, and the cell's result stays reachable for
 * the whole long poll, which review19 F2's sweep was meant to end.
 *
 * <p>Deterministic: the stuck worker links the child and then more than a turn's share of idle
 * cells itself (so the child is deeper than 128 and no cycle is under way, the list's state known
 * on the stuck worker); the other worker polls them (already linked: nothing changes), parks,
 * wakes for the child only, completes it, and parks once more. Only this test's thread and that
 * worker run anything meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResultDeepInAStuckWorkersShardCollectableAfterOnePeerParkTest {

    /** Idle cells linked after the child: more than a turn's share ahead of it. */
    private static final int DEPTH = 4 * ShardSweep.TICK_SWEEP_BUDGET;

    private StuckOwnerFixture fixture;

    @AfterEach
    void shutdown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aResultDeeperThanATurnsShareIsCollectableAfterThePeersOnePark() throws Exception {
        fixture = new StuckOwnerFixture("deep-stuck-", true, DEPTH, shard -> { });
        assertThat(fixture.shard.sweeping).isFalse();

        // Wakes the child from this thread: the peer runs it, completes it, and parks once more.
        WeakReference<Payload> result = fixture.completeJoinAndDrop();
        fixture.assertResultCollectedWhileStuck(result);
    }
}

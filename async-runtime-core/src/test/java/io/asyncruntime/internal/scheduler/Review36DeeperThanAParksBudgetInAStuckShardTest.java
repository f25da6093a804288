package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.Payload;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review36 (flake20's fix, 5650bab): while a worker is stuck in one long poll, its shard is swept
 * by the other workers' parks, each with a park's budget ({@link ShardSweep#PARK_SWEEP_BUDGET}
 * cells). A cell another worker completes deeper in that shard than a park's budget (behind more
 * than 64 Ki cells linked after it) is still linked when that worker's park sweep ends with the
 * cycle under way; if it has no more work it never parks again, and the cell's result stayed
 * reachable for the whole long poll. Fixed by the parked worker's watch
 * ({@link StuckShardWatch}: it goes on, a park's budget per look, while the owner stays in that
 * poll).
 *
 * <p>Deterministic: the stuck worker links the child and then more than a park's budget of idle
 * cells itself (so the child is deeper than 64 Ki and no cycle is under way, the list's state
 * known on the stuck worker); the other worker polls them (already linked: nothing changes),
 * parks, wakes for the child only, completes it, and parks once more. Only this test's thread
 * and that worker run anything meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review36DeeperThanAParksBudgetInAStuckShardTest {

    /** Idle cells linked after the child: more than a park's budget ahead of it. */
    private static final int DEPTH = ShardSweep.PARK_SWEEP_BUDGET + 4 * ShardSweep.TICK_SWEEP_BUDGET;

    private StuckOwnerFixture fixture;

    @AfterEach
    void shutdown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aResultDeeperThanAParksBudgetIsCollectableWhileTheOwnerIsStuck() throws Exception {
        fixture = new StuckOwnerFixture("deep-stuck-", true, DEPTH, shard -> { });
        assertThat(fixture.shard.sweeping).isFalse();

        // Wakes the child from this thread: the peer runs it, completes it, and parks once more.
        WeakReference<Payload> result = fixture.completeJoinAndDrop();
        fixture.assertResultCollectedWhileStuck(result);
    }
}

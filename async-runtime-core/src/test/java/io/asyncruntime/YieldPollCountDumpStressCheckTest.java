package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 14 (review17, d90c8bf): a soundness check, expected to pass. On a real runtime
 * (two workers stealing each other's yield-queued cells, so the plain uncounted-poll bits cross
 * threads through the rings and the inject queue), many tasks yield a few hundred times each while
 * task dumps are taken from another thread: no dump may show a task with more polls than it has
 * started plus the one a take counts before its poll starts, and once every task waits (idle, not
 * RUNNING) the dump shows each one's polls exactly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class YieldPollCountDumpStressCheckTest {

    private static final int TASKS = 64;
    private static final int YIELDS = 300;

    @Test
    void dumpsDuringYieldChainsNeverCountAheadAndIdleCountsAreExact() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(100)).build()) {
            Map<String, YieldThenWait> bodies = new HashMap<>();
            for (int i = 0; i < TASKS; i++) {
                YieldThenWait body = new YieldThenWait();
                bodies.put("yielder-" + i, body);
                runtime.spawn(body, Priority.values()[i % Priority.values().length], "yielder-" + i);
            }
            int dumps = 0;
            while (!allWaiting(bodies) && dumps < 5_000) {
                TaskDump dump = runtime.taskDump();
                dumps++;
                for (TaskDump.TaskInfo info : dump.tasks()) {
                    YieldThenWait body = bodies.get(info.name());
                    int started = body.started.get(); // read after the dump: only grows
                    assertThat(info.polls()).as("dump %d: %s (started %d)", dumps, info.name(), started)
                            .isLessThanOrEqualTo(started + 1L);
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> allWaiting(bodies));
            // Every task has returned pending for good; its owner's release follows the poll.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                TaskDump dump = runtime.taskDump();
                assertThat(dump.tasks()).hasSize(TASKS);
                for (TaskDump.TaskInfo info : dump.tasks()) {
                    assertThat(info.state()).as(info.name()).isEqualTo(TaskDump.State.IDLE);
                    assertThat(info.polls()).as(info.name()).isEqualTo(YIELDS + 1L);
                }
            });
        }
    }

    private static boolean allWaiting(Map<String, YieldThenWait> bodies) {
        for (YieldThenWait body : bodies.values()) {
            if (body.started.get() <= YIELDS) {
                return false;
            }
        }
        return true;
    }

    /** Yields {@link #YIELDS} times, then waits for a wake that never comes. */
    private static final class YieldThenWait implements Task<Void> {
        final AtomicInteger started = new AtomicInteger();

        @Override
        public Poll<Void> poll(Context cx) {
            if (started.incrementAndGet() <= YIELDS) {
                cx.requestYield();
            }
            return Poll.pending();
        }
    }
}

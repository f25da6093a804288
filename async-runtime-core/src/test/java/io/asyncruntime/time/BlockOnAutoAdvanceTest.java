package io.asyncruntime.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 8: a {@code blockOn} root task on a paused clock that is woken during a poll
 * which also yields leaves a stale wake; {@code blockOn} then polls it once more without a wake.
 * That extra poll must not release an auto-advance inhibition it never took: afterwards, a
 * {@code blockOn(Time.sleep(1 s))} must still auto-advance the clock by exactly one second (before
 * the fix the inhibitor count stayed at -1 and it hung).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockOnAutoAdvanceTest {

    private final TestClock clock = Clock.paused();
    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).clock(clock).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Wakes itself during its first poll and returns pending; ready at the second. */
    private static final class WakesItselfOnce implements Task<Integer> {
        private boolean woke;

        @Override
        public Poll<Integer> poll(Context cx) {
            if (!woke) {
                woke = true;
                cx.waker().wake();
                return Poll.pending();
            }
            return Poll.ready(2);
        }
    }

    @Test
    void aBlockOnRootWokenDuringAYieldingPollDoesNotUnbalanceAutoAdvance() throws Exception {
        // Twice: before the fix each run left the count one lower, and from -2 the sleep below
        // never saw the count at 0 (from -1 it could still slip through while being polled).
        for (int run = 0; run < 2; run++) {
            CompletableFuture<Integer> stage = new CompletableFuture<>();
            AtomicReference<Object> result = new AtomicReference<>();
            Thread caller = new Thread(() -> result.set(runtime.blockOn(
                    Task.all(List.<Task<?>>of(Task.yieldNow(), new WakesItselfOnce(), Task.fromCompletionStage(stage))))),
                    "reproducer-" + run);
            caller.setDaemon(true);
            caller.start();
            // Parked in blockOn: the yield's re-poll and the stale wake's re-poll are behind it.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> caller.getState() == Thread.State.WAITING);
            stage.complete(3);
            caller.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(result.get()).isEqualTo(Arrays.asList(null, 2, 3));
        }

        Duration before = clock.elapsed();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> runtime.blockOn(Time.sleep(Duration.ofSeconds(1))),
                "blockOn(sleep(1 s)) on a paused clock must auto-advance");
        assertThat(clock.elapsed().minus(before)).isEqualTo(Duration.ofSeconds(1));
    }
}

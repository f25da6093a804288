package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 15c of F2/R2 (suspected, a design question rather than a broken stated rule): a stage
 * callback runs in the middle of its handle's delivery ({@code Waiters.wakeEach}, newest
 * registration first), and the waiters registered before it are woken only after it returns. A
 * callback that waits for another awaiter of the same handle (a task awaiting it) therefore waits
 * for itself at depth 1, while the same callback nested past {@code MAX_USER_FRAMES} is handed off
 * and works. The runtime's own wakes (task wakers) never block, so waking them before the user code
 * of the same list would remove the dependency.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingCallbackHoldsSiblingWakeReview15cTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static boolean isIdle(JoinHandle<?> handle) {
        return handle.toString().contains("idle");
    }

    @Test
    void aCallbackThatWaitsForATaskAwaitingTheSameHandleIsNotStuckBehindThatTasksWake() throws Exception {
        JoinHandle<Void> a = runtime.spawn(Task.never());
        JoinHandle<Void> awaitsA = runtime.spawn(a); // registered on a before the callback
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> isIdle(a) && isIdle(awaitsA));
        CompletableFuture<String> seen = new CompletableFuture<>();
        a.whenComplete((v, e) -> {
            try {
                awaitsA.get(3, TimeUnit.SECONDS);
                seen.complete("no failure");
            } catch (TimeoutException stuck) {
                seen.complete("awaitsA never woken: " + stuck);
            } catch (Exception expected) {
                seen.complete("awaitsA saw " + expected.getClass().getSimpleName());
            }
        });

        a.abort(); // idle: delivered on this thread, depth 1

        assertThat(seen.get(20, TimeUnit.SECONDS)).startsWith("awaitsA saw ");
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15 R2 (f9a09ed, a895202): {@code CompletionCascade.runOutsideDelivery} opens a
 * fresh frame for a stage callback only up to {@code MAX_USER_FRAMES} (8) nested ones; past that
 * the callback runs inside the current delivery, so the wakes it causes are queued until it
 * returns. A callback at depth 9 that aborts an idle handle and then waits for a task awaiting
 * that handle therefore waits for itself: R2's deadlock, moved from depth 1 to depth 9 (the
 * class comment names exactly this failure mode for Netty's depth-8 bound).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeepCallbackChainDeliveryDeadlockTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }


    @Test
    void aBlockingCallbackTwelveCallbacksDeepStillHasItsAbortsWakesDelivered() throws Exception {
        int links = 12;
        List<JoinHandle<Void>> chain = IdleTasks.spawnNever(runtime, links);
        JoinHandle<Void> x = runtime.spawn(Task.never());
        JoinHandle<Void> awaitsX = runtime.spawn(x); // a task whose poll awaits x
        IdleTasks.awaitIdle(Duration.ofSeconds(10), chain);
        IdleTasks.awaitIdle(Duration.ofSeconds(10), x, awaitsX);
        IdleTasks.abortNextOnCompletion(chain);
        CompletableFuture<String> seenByLastCallback = new CompletableFuture<>();
        chain.get(links - 1).whenComplete((v, e) -> {
            x.abort(); // idle: completed inline; its waiter awaitsX must be woken
            try {
                awaitsX.get(5, TimeUnit.SECONDS);
                seenByLastCallback.complete("no failure");
            } catch (TimeoutException stuck) {
                seenByLastCallback.complete("awaitsX never woken: " + stuck);
            } catch (Exception expected) {
                seenByLastCallback.complete("awaitsX saw " + expected.getClass().getSimpleName());
            }
        });

        chain.get(0).abort();

        assertThat(seenByLastCallback.get(20, TimeUnit.SECONDS)).isEqualTo("awaitsX saw TaskCancelledException");
    }
}

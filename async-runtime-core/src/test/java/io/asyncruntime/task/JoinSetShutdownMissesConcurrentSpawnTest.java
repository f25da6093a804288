package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review of issue 10, suspected item): {@link JoinSet#shutdown()} aborted the set's
 * tasks once, at its first poll; a task spawned into the set from another thread after that was
 * never aborted, and the drain (which waits for every held task) waited on it for as long as it
 * ran: forever for an idle one. Now a spawn while a shutdown drains the set aborts the new task.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinSetShutdownMissesConcurrentSpawnTest {

    @Test
    void aTaskSpawnedWhileTheShutdownDrainsIsAbortedAndTheDrainEnds() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("joinset-drain").build();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (JoinSet<Object> set = new JoinSet<>(runtime)) {
            // Keeps the drain pending: aborted while inside its poll, it finishes when that poll returns.
            set.spawn(Task.run(() -> {
                running.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            Task<Void> drain = set.shutdown();
            ManualContext cx = new ManualContext();
            assertThat(drain.poll(cx).isPending()).as("the drain waits for the running task").isTrue();

            JoinHandle<Object> late = set.spawn(Task.never()); // spawned after the drain's first poll
            release.countDown();

            await().atMost(Duration.ofSeconds(10)).until(late::isDone);
            await().atMost(Duration.ofSeconds(10)).until(() -> drain.poll(cx).isReady());
            assertThat(set.isEmpty()).isTrue();
        } finally {
            release.countDown();
            runtime.close();
        }
    }
}

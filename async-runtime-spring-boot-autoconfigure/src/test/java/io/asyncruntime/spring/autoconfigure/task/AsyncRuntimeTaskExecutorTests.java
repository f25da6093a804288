package io.asyncruntime.spring.autoconfigure.task;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.TaskCancelledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.TaskRejectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncRuntimeTaskExecutor}.
 */
class AsyncRuntimeTaskExecutorTests {

    /** One blocking thread, so that a second task waits in the queue while the first is held. */
    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1).build();

    private final AsyncRuntimeTaskExecutor executor = new AsyncRuntimeTaskExecutor(this.runtime, null);

    @AfterEach
    void close() {
        this.runtime.close();
    }

    @Test
    void tasksRunOnTheRuntimesBlockingPoolNeverOnAWorker() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        this.executor.execute(() -> {
            thread.set(Thread.currentThread().getName());
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(thread.get()).matches("async-runtime-worker-blocking-\\d+");
        assertThat(this.executor.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
            .matches("async-runtime-worker-blocking-\\d+");
        assertThat(this.executor.submitCompletable(() -> 6 * 7).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void aFailingTaskFailsItsFuture() {
        Future<Object> future = this.executor.submit(() -> {
            throw new IllegalStateException("boom");
        });
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(IllegalStateException.class)
            .withMessageContaining("boom");
    }

    @Test
    void theDecoratorWrapsEachTaskOnTheSubmittingThread() throws Exception {
        ThreadLocal<String> traceId = new ThreadLocal<>();
        AsyncRuntimeTaskExecutor decorating = new AsyncRuntimeTaskExecutor(this.runtime, (task) -> {
            String captured = traceId.get();
            return () -> {
                traceId.set(captured);
                try {
                    task.run();
                }
                finally {
                    traceId.remove();
                }
            };
        });
        traceId.set("trace-1");
        try {
            assertThat(decorating.submit(traceId::get).get(10, TimeUnit.SECONDS)).isEqualTo("trace-1");
        }
        finally {
            traceId.remove();
        }
    }

    @Test
    void cancellingTheFutureOfAQueuedTaskAbortsItBeforeItRuns() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch busy = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        try {
            // The only blocking thread is held, so the next task waits in the queue.
            this.executor.execute(() -> {
                busy.countDown();
                await().atMost(Duration.ofSeconds(10)).untilTrue(release);
            });
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> queued = this.executor.submit(() -> ran.set(true));
            assertThat(queued.cancel(true)).isTrue();
            assertThat(queued.isCancelled()).isTrue();
        }
        finally {
            release.set(true);
        }
        // Whatever runs after the held task ran after the cancelled one would have.
        this.executor.submit(() -> null).get(10, TimeUnit.SECONDS);
        assertThat(ran).isFalse();
    }

    @Test
    void aTaskStillQueuedWhenTheRuntimeShutsDownFailsItsFuture() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch busy = new CountDownLatch(1);
        CompletableFuture<Object> queued;
        try {
            this.executor.execute(() -> {
                busy.countDown();
                await().atMost(Duration.ofSeconds(10)).untilTrue(release);
            });
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            queued = this.executor.submitCompletable(() -> "never");
            new Thread(this.runtime::close).start();
            await().atMost(Duration.ofSeconds(10)).until(this.runtime::isClosed);
        }
        finally {
            release.set(true);
        }
        // CompletableFuture reports a cancellation as itself rather than wrapped.
        assertThatExceptionOfType(TaskCancelledException.class).isThrownBy(() -> queued.get(10, TimeUnit.SECONDS));
        assertThat(queued.isCompletedExceptionally()).isTrue();
    }

    @Test
    void aFullBlockingPoolRejectsTasks() throws Exception {
        try (AsyncRuntime noQueue = AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1).blockingQueueCapacity(0)
            .build()) {
            AsyncRuntimeTaskExecutor full = new AsyncRuntimeTaskExecutor(noQueue, null);
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch busy = new CountDownLatch(1);
            try {
                full.execute(() -> {
                    busy.countDown();
                    await().atMost(Duration.ofSeconds(10)).untilTrue(release);
                });
                assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
                assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> full.submit(() -> 1))
                    .withMessageContaining("did not accept");
            }
            finally {
                release.set(true);
            }
        }
    }

    @Test
    void aShutDownRuntimeRejectsTasks() {
        this.runtime.close();
        assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> this.executor.execute(() -> {
        }));
        assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> this.executor.submit(() -> 1));
    }

}

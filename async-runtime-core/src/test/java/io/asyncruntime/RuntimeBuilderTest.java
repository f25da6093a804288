package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Priority;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuntimeBuilderTest {

    @Test
    void workerThreadsOutOfRangeNamesTheArgumentAndRange() {
        assertThatThrownBy(() -> AsyncRuntime.builder().workerThreads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workerThreads must be between 1 and 32767, got 0");
        assertThatThrownBy(() -> AsyncRuntime.builder().workerThreads(40_000))
                .hasMessage("workerThreads must be between 1 and 32767, got 40000");
    }

    @Test
    void blankThreadNamePrefixIsRejected() {
        assertThatThrownBy(() -> AsyncRuntime.builder().threadNamePrefix(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threadNamePrefix must be a non-blank string, got \" \"");
        assertThatThrownBy(() -> AsyncRuntime.builder().threadNamePrefix(null))
                .hasMessage("threadNamePrefix must be a non-blank string, got null");
    }

    @Test
    void intervalsOutOfRangeAreRejected() {
        assertThatThrownBy(() -> AsyncRuntime.builder().globalQueueInterval(0))
                .hasMessage("globalQueueInterval must be between 1 and 1000000, got 0");
        assertThatThrownBy(() -> AsyncRuntime.builder().eventInterval(-5))
                .hasMessage("eventInterval must be between 1 and 1000000, got -5");
        assertThatThrownBy(() -> AsyncRuntime.builder().maxLifoPolls(0))
                .hasMessage("maxLifoPolls must be between 1 and 128, got 0");
    }

    @Test
    void laneSharesAreValidated() {
        assertThatThrownBy(() -> AsyncRuntime.builder().laneShare(Priority.HIGH, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("laneShare lane must be NORMAL or BACKGROUND");
        assertThatThrownBy(() -> AsyncRuntime.builder().laneShare(Priority.BACKGROUND, 0))
                .hasMessage("laneShare(BACKGROUND) must be between 1 and 50, got 0");
        assertThatThrownBy(() -> AsyncRuntime.builder().laneShare(Priority.NORMAL, 51))
                .hasMessage("laneShare(NORMAL) must be between 1 and 50, got 51");
        assertThatThrownBy(() -> AsyncRuntime.builder().laneShare(null, 10))
                .hasMessageContaining("got null");
    }

    @Test
    void shutdownTimeoutMustBePositive() {
        assertThatThrownBy(() -> AsyncRuntime.builder().shutdownTimeout(Duration.ZERO))
                .hasMessage("shutdownTimeout must be a positive duration, got PT0S");
        assertThatThrownBy(() -> AsyncRuntime.builder().shutdownTimeout(null))
                .hasMessage("shutdownTimeout must be a positive duration, got null");
    }

    @Test
    void aValidBuilderStartsNamedWorkers() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(3).threadNamePrefix("named").build()) {
            assertThat(runtime.workerThreads()).isEqualTo(3);
            assertThat(runtime.spawn(() -> Thread.currentThread().getName()).get()).matches("named-[0-2]");
        }
    }

    @Test
    void threadNamesTakesThePrefixAsGivenWithItsOwnSeparator() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).threadNames("orders-").build()) {
            assertThat(runtime.spawn(() -> Thread.currentThread().getName()).get()).isEqualTo("orders-0");
            assertThat(runtime.spawnBlocking(() -> Thread.currentThread().getName()).get())
                    .matches("orders-blocking-\\d+");
        }
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            assertThat(runtime.spawn(() -> Thread.currentThread().getName()).get()).isEqualTo("async-runtime-worker-0");
        }
        assertThatThrownBy(() -> AsyncRuntime.builder().threadNames(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threadNames prefix must be a non-blank string, got \"\"");
    }

    @Test
    void theRuntimeReportsItsShutdownTimeout() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            assertThat(runtime.shutdownTimeout()).isEqualTo(RuntimeBuilder.DEFAULT_SHUTDOWN_TIMEOUT);
        }
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).shutdownTimeout(Duration.ofSeconds(3)).build()) {
            assertThat(runtime.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
        }
    }
}

package io.asyncruntime.spring.autoconfigure;

import io.asyncruntime.AsyncRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link AsyncRuntimeLifecycle}.
 */
class AsyncRuntimeLifecycleTests {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();

    private final AsyncRuntimeLifecycle lifecycle = new AsyncRuntimeLifecycle(this.runtime);

    @AfterEach
    void closeRuntime() {
        this.runtime.close();
    }

    @Test
    void stopShutsTheRuntimeDown() {
        this.lifecycle.start();
        assertThat(this.lifecycle.isRunning()).isTrue();
        this.lifecycle.stop();
        assertThat(this.lifecycle.isRunning()).isFalse();
        assertThat(this.runtime.isClosed()).isTrue();
    }

    @Test
    void aShutDownRuntimeCannotBeRestarted() {
        this.lifecycle.start();
        this.lifecycle.stop();
        assertThatIllegalStateException().isThrownBy(this.lifecycle::start).withMessageContaining("cannot be restarted");
        assertThat(this.lifecycle.isRunning()).isFalse();
    }

    @Test
    void destroyShutsDownARuntimeThatWasNeverStartedAndIsIdempotent() {
        this.lifecycle.destroy();
        assertThat(this.runtime.isClosed()).isTrue();
        this.lifecycle.destroy();
        this.lifecycle.stop();
        assertThat(this.runtime.isClosed()).isTrue();
    }

    @Test
    void runsInTheExecutorPhaseAfterTheWebServerStops() {
        // WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE: higher phases stop first, so the web
        // server drains its requests before the runtime shuts down.
        int gracefulShutdownPhase = Integer.MAX_VALUE - 1024;
        assertThat(this.lifecycle.getPhase()).isEqualTo(Integer.MAX_VALUE / 2).isLessThan(gracefulShutdownPhase);
        assertThat(this.lifecycle.isAutoStartup()).isTrue();
    }

}

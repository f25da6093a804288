package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.asyncruntime.AsyncRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncRuntimeLifecycle} on its own; the context-level behaviour (pause, restart,
 * close, phase timeout, readiness) is in {@link AsyncRuntimeShutdownTests}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AsyncRuntimeLifecycleTests {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();

    private final GenericApplicationContext context = new GenericApplicationContext();

    @AfterEach
    void closeRuntime() {
        this.runtime.close();
    }

    @Test
    void stopOutsideAClosingContextLeavesTheRuntimeRunningAndCallsBackAtOnce() throws Exception {
        AsyncRuntimeLifecycle lifecycle = lifecycle(Duration.ofSeconds(30));
        lifecycle.start();
        CountDownLatch stopped = new CountDownLatch(1);
        lifecycle.stop(stopped::countDown);
        assertThat(stopped.getCount()).isZero();
        // Still running, as its runtime is: closing the context later must still reach stop().
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(lifecycle.isShuttingDown()).isFalse();
        assertThat(this.runtime.isClosed()).isFalse();
        lifecycle.start();
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(this.runtime.spawn(() -> 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void runsInTheExecutorPhaseAfterTheWebServerStops() {
        // WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE: higher phases stop first, so the web
        // server drains its requests before the runtime shuts down.
        int gracefulShutdownPhase = Integer.MAX_VALUE - 1024;
        AsyncRuntimeLifecycle lifecycle = lifecycle(Duration.ofSeconds(30));
        assertThat(lifecycle.getPhase()).isEqualTo(Integer.MAX_VALUE / 2).isLessThan(gracefulShutdownPhase);
        assertThat(lifecycle.isAutoStartup()).isTrue();
    }

    @Test
    void warnsAtStartWhenTheShutdownTimeoutDoesNotFitInThePhaseTimeout(CapturedOutput output) {
        lifecycle(Duration.ofSeconds(10)).start();
        assertThat(output).contains("The shutdown timeout of async runtime 'runtime' (PT10S) does not fit in "
                + "spring.lifecycle.timeout-per-shutdown-phase (PT10S)")
            .contains("its tasks get PT9S to finish")
            .contains("Set async.runtime.shutdown-timeout to at most PT9S");
    }

    @Test
    void theDrainDeadlineIsTheShutdownTimeoutCutToWhatFitsInThePhase() {
        // A quarter of the phase, at most a second, is kept for aborting and stopping the workers.
        assertThat(AsyncRuntimeLifecycle.drainDeadline(Duration.ofSeconds(5), Duration.ofSeconds(30)))
            .isEqualTo(Duration.ofSeconds(5));
        assertThat(AsyncRuntimeLifecycle.drainDeadline(Duration.ofSeconds(30), Duration.ofSeconds(30)))
            .isEqualTo(Duration.ofSeconds(29));
        assertThat(AsyncRuntimeLifecycle.drainDeadline(Duration.ofSeconds(8), Duration.ofSeconds(1)))
            .isEqualTo(Duration.ofMillis(750));
        assertThat(AsyncRuntimeLifecycle.drainDeadline(Duration.ofSeconds(8), Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(AsyncRuntimeLifecycle.drainDeadline(Duration.ZERO, Duration.ofSeconds(30))).isEqualTo(Duration.ZERO);
    }

    @Test
    void doesNotWarnWhenTheShutdownTimeoutFits(CapturedOutput output) {
        lifecycle(Duration.ofSeconds(11)).start();
        assertThat(output).doesNotContain("does not fit");
    }

    private AsyncRuntimeLifecycle lifecycle(Duration phaseTimeout) {
        return new AsyncRuntimeLifecycle(this.context, () -> Map.of("runtime", this.runtime), phaseTimeout);
    }

}

package io.asyncruntime.spring.autoconfigure.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.RuntimeMetricsFixtures;
import io.asyncruntime.task.Poll;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link AsyncRuntimeHealthContributorAutoConfiguration} and
 * {@link AsyncRuntimeHealthIndicator}.
 */
class AsyncRuntimeHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                AsyncRuntimeHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                HealthContributorRegistryAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=2");

    @Test
    void healthIsUpWithDetailsWhileTheRuntimeRuns() {
        this.contextRunner.run((context) -> {
            Health health = context.getBean(AsyncRuntimeHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("state", "running")
                .containsEntry("workers", 2)
                .containsKey("aliveTasks")
                .containsKey("injectQueueDepth")
                .containsKey("localQueueDepth")
                .containsEntry("blockingPools", Map.of("default", Map.of("busyThreads", 0, "maxThreads", 512, "queued", 0)))
                .containsEntry("liveTasks", 0L)
                .containsEntry("stalls", 0L)
                .containsEntry("stalledWorkers", 0);
        });
    }

    @Test
    void healthIsDownOnceTheRuntimeIsShutDown() {
        this.contextRunner.run((context) -> {
            context.getBean(AsyncRuntime.class).close();
            Health health = context.getBean(AsyncRuntimeHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("state", "shut down while the application runs");
        });
    }

    @Test
    void indicatorIsRegisteredAsTheAsyncruntimeComponent() {
        this.contextRunner.run((context) -> assertThat(
                context.getBean(HealthContributorRegistry.class).getContributor("asyncruntime"))
            .isSameAs(context.getBean(AsyncRuntimeHealthIndicator.class)));
    }

    @Test
    void indicatorCanBeDisabled() {
        this.contextRunner.withPropertyValues("management.health.asyncruntime.enabled=false")
            .run((context) -> assertThat(context).hasSingleBean(AsyncRuntime.class)
                .doesNotHaveBean(AsyncRuntimeHealthIndicator.class));
    }

    @Test
    void noIndicatorWithoutARuntime() {
        this.contextRunner.withPropertyValues("async.runtime.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(AsyncRuntimeHealthIndicator.class));
    }

    @Test
    void userIndicatorBacksOff() {
        this.contextRunner
            .withBean("asyncruntimeHealthIndicator", AsyncRuntimeHealthIndicator.class,
                    () -> new AsyncRuntimeHealthIndicator(AsyncRuntime.builder().workerThreads(1).build()),
                    (definition) -> definition.setDestroyMethodName("toString"))
            .run((context) -> assertThat(context).hasSingleBean(AsyncRuntimeHealthIndicator.class));
    }

    @Test
    void healthIsOutOfServiceWhileTheApplicationShutsTheRuntimeDown() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            AtomicBoolean shuttingDown = new AtomicBoolean();
            AsyncRuntimeHealthIndicator indicator = new AsyncRuntimeHealthIndicator(runtime, shuttingDown::get);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            shuttingDown.set(true);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(indicator.health().getDetails()).containsEntry("state", "shutting down");
            runtime.close();
            assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(indicator.health().getDetails()).containsEntry("state", "shut down");
        }
    }

    @Test
    void healthFollowsTheLifecycleWhenTheContextCloses() {
        this.contextRunner.withBean(AsyncRuntime.class, () -> AsyncRuntime.builder().workerThreads(1).build())
            .run((context) -> {
                AsyncRuntimeHealthIndicator indicator = context.getBean(AsyncRuntimeHealthIndicator.class);
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                context.getBean(AsyncRuntimeLifecycle.class).stop(() -> {
                });
                // Stopped without closing the context: the runtime goes on, and so does its health.
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                context.close();
                assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            });
    }


    @Test
    void healthIsDownWhileOneWorkerIsStalledAndUpAgainWhenItsPollReturns() {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        try {
            this.contextRunner.withPropertyValues("async.runtime.stall-threshold=50ms").run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                AsyncRuntimeHealthIndicator indicator = context.getBean(AsyncRuntimeHealthIndicator.class);
                runtime.spawn((cx) -> {
                    spinning.set(true);
                    while (!release.get()) {
                        Thread.onSpinWait();
                    }
                    return Poll.ready(null);
                });
                await().atMost(Duration.ofSeconds(10)).untilTrue(spinning);
                // The other worker goes on: only the stall detector tells that something is wrong.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    Health health = indicator.health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).containsEntry("stalledWorkers", 1)
                        .containsEntry("state",
                                "stalled: 1 of 2 workers inside one poll for longer than the stall threshold (50 ms)");
                });
                release.set(true);
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
            });
        }
        finally {
            release.set(true);
        }
    }

    @Test
    void healthIsDownWhenAWorkerDied() {
        // No public path kills a worker thread (its run loop survives errors, WorkerLoopErrorTest
        // in the core): the runtime's own count stands in for one that died.
        AsyncRuntime runtime = mock(AsyncRuntime.class);
        given(runtime.metrics()).willReturn(RuntimeMetricsFixtures.withWorkerCount(4));
        given(runtime.stallThreshold()).willReturn(Duration.ofMillis(100));
        given(runtime.deadWorkers()).willReturn(1);
        given(runtime.workerLoopErrors()).willReturn(7L);
        Health health = new AsyncRuntimeHealthIndicator(runtime).health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("deadWorkers", 1)
            .containsEntry("workerLoopErrors", 7L)
            .containsEntry("state",
                    "1 of 4 workers died (an error escaped the worker's run loop; see the log): restart the application");
        given(runtime.deadWorkers()).willReturn(0);
        assertThat(new AsyncRuntimeHealthIndicator(runtime).health().getStatus()).isEqualTo(Status.UP);
    }

}

package io.asyncruntime.spring.autoconfigure.defects;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.jayway.jsonpath.JsonPath;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpointAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.health.AsyncRuntimeHealthContributorAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.metrics.AsyncRuntimeMetricsAutoConfiguration;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One regression test per defect found in the review of the first starter (issue 12). Each was
 * run against the starter as it was before the fix and failed there.
 */
class ReviewDefectsRegressionTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    // Defect 1: Spring Framework 7 pauses cached test contexts; pausing (and context.stop()) closed the runtime for good.
    @Test
    void pausingAndRestartingTheContextKeepsTheRuntimeUsable() {
        this.runner.withPropertyValues("async.runtime.worker-threads=1").run((context) -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            context.pause();
            context.restart();
            assertThat(runtime.isClosed()).isFalse();
            assertThat(runtime.spawn(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        });
    }

    @Test
    void stoppingAndStartingTheContextKeepsTheRuntimeUsable() {
        this.runner.withPropertyValues("async.runtime.worker-threads=1").run((context) -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            context.stop();
            context.start();
            assertThat(context.isRunning()).isTrue();
            assertThat(runtime.spawn(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        });
    }

    // Defect 2: the lifecycle's synchronous stop() waited for shutdown-timeout, ignoring the phase timeout.
    @Test
    void shutdownIsBoundedByThePhaseTimeoutWithATaskStuckInAPoll() {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        try {
            this.runner.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
                .withPropertyValues("async.runtime.worker-threads=1", "async.runtime.shutdown-timeout=8s",
                        "spring.lifecycle.timeout-per-shutdown-phase=1s")
                .run((context) -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    runtime.spawn(spinUntil(spinning, release));
                    await().atMost(Duration.ofSeconds(10)).untilTrue(spinning);
                    long start = System.nanoTime();
                    context.close();
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    assertThat(took).isLessThan(Duration.ofSeconds(4));
                });
        }
        finally {
            release.set(true);
        }
    }

    // Defect 3 (13 snapshots per scrape, values of one scrape disagreeing):
    // AsyncRuntimeMeterBinderTests.oneScrapeReadsOneConsistentSnapshot.

    // Defect 4: a hand-written copy of Boot's InvalidConfigurationPropertyValueException and its analyzer.
    @Test
    void badPropertyFailsWithBootsInvalidConfigurationPropertyValueException() {
        this.runner.withPropertyValues("async.runtime.worker-threads=0").run((context) -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException failure = find(context.getStartupFailure(),
                    InvalidConfigurationPropertyValueException.class);
            assertThat(failure).as("Boot's exception in the failure chain").isNotNull();
            assertThat(failure.getName()).isEqualTo("async.runtime.worker-threads");
            assertThat(failure.getValue()).isEqualTo(0);
            assertThat(failure.getReason()).contains("between 1 and 32767");
        });
    }

    // Defect 5a: @ConditionalOnSingleCandidate everywhere: a second runtime left both without lifecycle, health, meters, endpoint.
    @Test
    void twoRuntimesBothGetLifecycleHealthMetersAndEndpoint() {
        AtomicReference<List<AsyncRuntime>> runtimes = new AtomicReference<>();
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                    AsyncRuntimeHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                    HealthContributorRegistryAutoConfiguration.class, AsyncRuntimeMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, AsyncRuntimeEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .withBean("ordersRuntime", AsyncRuntime.class, () -> AsyncRuntime.builder().workerThreads(1).build())
            .withBean("billingRuntime", AsyncRuntime.class, () -> AsyncRuntime.builder().workerThreads(2).build())
            .run((context) -> {
                runtimes.set(new ArrayList<>(context.getBeansOfType(AsyncRuntime.class).values()));
                assertThat(runtimes.get()).hasSize(2);
                HealthContributorRegistry health = context.getBean(HealthContributorRegistry.class);
                assertThat(health.getContributor("asyncruntime")).as("asyncruntime health contributor").isNotNull();
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(registry.find("asyncruntime.workers").tag("runtime", "ordersRuntime").gauge().value())
                    .isEqualTo(1.0);
                assertThat(registry.find("asyncruntime.workers").tag("runtime", "billingRuntime").gauge().value())
                    .isEqualTo(2.0);
                assertThat(context).hasSingleBean(AsyncRuntimeEndpoint.class);
            });
        assertThat(runtimes.get()).allMatch(AsyncRuntime::isClosed);
    }

    // Defect 5b: the properties-to-builder code was package-private: a user-built runtime could not reuse async.runtime.*.
    @Test
    void aBuilderBeanCarriesThePropertiesForAUserBuiltRuntime() {
        this.runner.withPropertyValues("async.runtime.worker-threads=3").run((context) -> {
            assertThat(context).hasSingleBean(RuntimeBuilder.class);
            try (AsyncRuntime mine = context.getBean(RuntimeBuilder.class).build()) {
                assertThat(mine.workerThreads()).isEqualTo(3);
            }
        });
    }

    // Defect 5c: the metadata documented a 30 s shutdown timeout while a user-built runtime got the builder's 10 s.
    @Test
    void shutdownTimeoutDefaultInTheMetadataAgreesWithTheBuilder() throws Exception {
        List<Object> defaults;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            defaults = JsonPath.read(in, "$.properties[?(@.name == 'async.runtime.shutdown-timeout')].defaultValue");
        }
        assertThat(defaults).hasSize(1);
        String documented = String.valueOf(defaults.get(0));
        assertThat(Duration.parse("PT" + documented.toUpperCase())).isEqualTo(RuntimeBuilder.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    // Defect 6a: thread-name-prefix "orders-" named threads "orders--0"; Boot's prefixes include the separator.
    @Test
    void threadNamePrefixIncludesItsSeparatorAsBootsDo() {
        this.runner.withPropertyValues("async.runtime.worker-threads=1", "async.runtime.thread-name-prefix=orders-")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class)
                .spawn(() -> Thread.currentThread().getName())
                .get(10, TimeUnit.SECONDS)).isEqualTo("orders-0"));
    }

    // Defect 6b: health stayed UP with every worker stuck and the inject queue growing.
    @Test
    void healthIsDownWhileEveryWorkerIsStuck() {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        try {
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                        AsyncRuntimeHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                        HealthContributorRegistryAutoConfiguration.class))
                .withPropertyValues("async.runtime.worker-threads=1")
                .run((context) -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    HealthIndicator health = (HealthIndicator) context.getBean(HealthContributorRegistry.class)
                        .getContributor("asyncruntime");
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    runtime.spawn(spinUntil(spinning, release));
                    await().atMost(Duration.ofSeconds(10)).untilTrue(spinning);
                    for (int i = 0; i < 10; i++) {
                        runtime.spawn(() -> null);
                    }
                    await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.DOWN));
                    release.set(true);
                    await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.UP));
                });
        }
        finally {
            release.set(true);
        }
    }

    // Defect 6c: per-worker busy time and queue depths were not exported; 6d: no tag named the runtime.
    @Test
    void perWorkerBusyTimeAndQueueDepthsAreExportedAndEveryMeterNamesItsRuntime() {
        metricsRunner().withPropertyValues("async.runtime.worker-threads=2").run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            for (String worker : new String[] { "0", "1" }) {
                assertThat(registry.get("asyncruntime.worker.busy").tag("worker", worker).functionCounter()).isNotNull();
                for (String lane : new String[] { "high", "normal", "background" }) {
                    assertThat(registry.get("asyncruntime.queue.local.depth").tag("worker", worker).tag("lane", lane).gauge())
                        .isNotNull();
                }
            }
            List<Meter> meters = registry.getMeters();
            assertThat(meters).isNotEmpty()
                .filteredOn((meter) -> meter.getId().getName().startsWith("asyncruntime."))
                .allMatch((meter) -> "asyncRuntime".equals(meter.getId().getTag("runtime")));
        });
    }

    private static ApplicationContextRunner metricsRunner() {
        return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
                AsyncRuntimeAutoConfiguration.class, AsyncRuntimeMetricsAutoConfiguration.class,
                MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class));
    }

    /** A task that spins inside one poll until released: what a blocking call does to a worker. */
    static Task<Void> spinUntil(AtomicBoolean spinning, AtomicBoolean release) {
        return (cx) -> {
            spinning.set(true);
            while (!release.get()) {
                Thread.onSpinWait();
            }
            return Poll.ready(null);
        };
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

}

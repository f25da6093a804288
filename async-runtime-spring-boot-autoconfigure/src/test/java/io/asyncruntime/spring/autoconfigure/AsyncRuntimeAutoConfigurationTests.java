package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingLimits;
import io.asyncruntime.BlockingMetrics;
import io.asyncruntime.BlockingPool;
import io.asyncruntime.RuntimeBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link AsyncRuntimeAutoConfiguration}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AsyncRuntimeAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    @Test
    void defaultRuntimeHasOneWorkerPerProcessorAndNamedThreads() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(AsyncRuntime.class).hasSingleBean(AsyncRuntimeLifecycle.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.workerThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(workerThreadName(runtime)).matches("async-runtime-worker-\\d+");
            assertThat(runtime.shutdownTimeout()).isEqualTo(RuntimeBuilder.DEFAULT_SHUTDOWN_TIMEOUT);
            AsyncRuntimeProperties properties = context.getBean(AsyncRuntimeProperties.class);
            assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.getGlobalQueueInterval()).isEqualTo(31);
            assertThat(properties.getEventInterval()).isEqualTo(61);
            assertThat(properties.getLifoSlot().isEnabled()).isTrue();
            assertThat(properties.getLifoSlot().getMaxPolls()).isEqualTo(3);
            assertThat(properties.getLaneShare().getNormal()).isEqualTo(25);
            assertThat(properties.getLaneShare().getBackground()).isEqualTo(10);
        });
    }

    @Test
    void propertiesConfigureTheRuntime() {
        this.contextRunner
            .withPropertyValues("async.runtime.worker-threads=3", "async.runtime.thread-name-prefix=orders-",
                    "async.runtime.global-queue-interval=7", "async.runtime.event-interval=13",
                    "async.runtime.lifo-slot.enabled=false", "async.runtime.lifo-slot.max-polls=9",
                    "async.runtime.lane-share.normal=40",
                    "async.runtime.lane-share.background=5", "async.runtime.shutdown-timeout=5s")
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                assertThat(runtime.workerThreads()).isEqualTo(3);
                assertThat(workerThreadName(runtime)).matches("orders-[0-2]");
                assertThat(runtime.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
                AsyncRuntimeProperties properties = context.getBean(AsyncRuntimeProperties.class);
                assertThat(properties.getGlobalQueueInterval()).isEqualTo(7);
                assertThat(properties.getEventInterval()).isEqualTo(13);
                assertThat(properties.getLifoSlot().isEnabled()).isFalse();
                assertThat(properties.getLifoSlot().getMaxPolls()).isEqualTo(9);
                assertThat(properties.getLaneShare().getNormal()).isEqualTo(40);
                assertThat(properties.getLaneShare().getBackground()).isEqualTo(5);
                assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
            });
    }

    @Test
    void stallThresholdPropertyConfiguresTheStallDetectorAndZeroTurnsItOff() {
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1", "async.runtime.stall-threshold=250ms")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).stallThreshold())
                .isEqualTo(Duration.ofMillis(250)));
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1", "async.runtime.stall-threshold=0")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).stallThreshold()).isZero());
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).stallThreshold())
                .isEqualTo(RuntimeBuilder.DEFAULT_STALL_THRESHOLD));
    }

    @Test
    void workerStackSizePropertySetsTheWorkersStackAndTheDefaultIsTheJvms() {
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1", "async.runtime.worker-stack-size=4MB")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).workerStackSize())
                .isEqualTo(4L * 1024 * 1024));
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).workerStackSize()).isZero());
    }

    @Test
    void ioEnabledFalseBuildsARuntimeWithoutAnIoDriver() {
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1", "async.runtime.io.enabled=false")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).metrics().io().enabled()).isFalse());
        this.contextRunner.withPropertyValues("async.runtime.worker-threads=1")
            .run((context) -> assertThat(context.getBean(AsyncRuntime.class).metrics().io().enabled()).isTrue());
    }

    @Test
    void blockingPropertiesConfigureTheRuntimesPoolAndNamedPools() {
        this.contextRunner
            .withPropertyValues("async.runtime.worker-threads=1", "async.runtime.max-blocking-threads=4",
                    "async.runtime.blocking-queue-capacity=7", "async.runtime.blocking-keep-alive=2s",
                    "async.runtime.blocking.pools.jdbc.max-threads=3", "async.runtime.blocking.pools.jdbc.queue-capacity=5",
                    "async.runtime.blocking.pools.jdbc.keep-alive=1s", "async.runtime.blocking.pools.files.max-threads=2")
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                BlockingMetrics.Pool own = runtime.metrics().blocking().defaultPool();
                assertThat(own.maxThreads()).isEqualTo(4);
                assertThat(own.queueCapacity()).isEqualTo(7);
                assertThat(context.getBean(AsyncRuntimeProperties.class).getBlockingKeepAlive())
                    .isEqualTo(Duration.ofSeconds(2));
                AsyncRuntimeBlockingPools pools = context.getBean(AsyncRuntimeBlockingPools.class);
                assertThat(pools.asMap()).containsOnlyKeys("jdbc", "files");
                assertThat(pools.get("jdbc").limits()).isEqualTo(
                        BlockingLimits.defaults().maxThreads(3).queueCapacity(5).keepAlive(Duration.ofSeconds(1)));
                assertThat(pools.get("files").limits()).isEqualTo(BlockingLimits.defaults().maxThreads(2));
                assertThat(pools.get("jdbc").spawnBlocking(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                    .startsWith("async-runtime-worker-blocking-jdbc-");
                assertThatIllegalArgumentException().isThrownBy(() -> pools.get("cache"))
                    .withMessageContaining("[jdbc, files]");
            });
    }

    @Test
    void aNamedPoolRunsOnVirtualThreadsWhereTheJdkHasThem(CapturedOutput output) {
        this.contextRunner
            .withPropertyValues("async.runtime.worker-threads=1", "async.runtime.blocking.pools.calls.virtual-threads=true")
            .run((context) -> {
                BlockingPool calls = context.getBean(AsyncRuntimeBlockingPools.class).get("calls");
                String threadClass = calls.spawnBlocking(() -> Thread.currentThread().getClass().getName())
                    .get(10, TimeUnit.SECONDS);
                if (Runtime.version().feature() >= 21) {
                    assertThat(calls.limits().virtualThreads()).isTrue();
                    assertThat(threadClass).contains("Virtual");
                }
                else {
                    assertThat(calls.limits().virtualThreads()).isFalse();
                    assertThat(threadClass).doesNotContain("Virtual");
                    assertThat(output).contains("Blocking pool 'calls' runs on platform threads: "
                            + "async.runtime.blocking.pools.calls.virtual-threads needs Java 21 or later");
                }
            });
    }

    @Test
    void theRuntimesOwnPoolCannotBeConfiguredAsANamedPool() {
        AtomicReference<Environment> environment = new AtomicReference<>();
        this.contextRunner.withPropertyValues("async.runtime.blocking.pools.default.max-threads=3")
            .withInitializer((context) -> environment.set(context.getEnvironment()))
            .run((context) -> assertThat(FailureAnalysisOf.startupFailure(context, environment.get()).getDescription())
                .contains("'async.runtime.blocking.pools'")
                .contains("'default' is the runtime's own pool: set max-blocking-threads"));
    }

    @Test
    void customizerRunsAfterTheProperties() {
        this.contextRunner.withPropertyValues("async.runtime.thread-name-prefix=from-property")
            .withBean(AsyncRuntimeBuilderCustomizer.class,
                    () -> (builder) -> builder.threadNamePrefix("from-customizer").workerThreads(1))
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                assertThat(runtime.workerThreads()).isEqualTo(1);
                assertThat(workerThreadName(runtime)).startsWith("from-customizer");
            });
    }

    @Test
    void userRuntimeBacksOffAndIsStillShutDownWithTheContext() {
        AtomicReference<AsyncRuntime> runtime = new AtomicReference<>();
        this.contextRunner
            .withBean("userRuntime", AsyncRuntime.class,
                    () -> runtime.updateAndGet((none) -> AsyncRuntime.builder().workerThreads(1).build()))
            .run((context) -> {
                assertThat(context).hasSingleBean(AsyncRuntime.class).hasBean("userRuntime");
                assertThat(context.getBean(AsyncRuntime.class)).isSameAs(runtime.get());
                assertThat(context.getBean(AsyncRuntimeLifecycle.class).isRunning()).isTrue();
            });
        assertThat(runtime.get().isClosed()).isTrue();
    }

    @Test
    void disabledRuntimeCreatesNoBeans() {
        this.contextRunner.withPropertyValues("async.runtime.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(AsyncRuntime.class)
                .doesNotHaveBean(AsyncRuntimeLifecycle.class)
                .doesNotHaveBean(AsyncRuntimeProperties.class));
    }

    @Test
    void lifecycleRunsInTheExecutorPhaseAndShutsTheRuntimeDownWhenTheContextCloses() {
        AtomicReference<AsyncRuntime> runtime = new AtomicReference<>();
        this.contextRunner.run((context) -> {
            AsyncRuntimeLifecycle lifecycle = context.getBean(AsyncRuntimeLifecycle.class);
            assertThat(lifecycle.getPhase()).isEqualTo(Integer.MAX_VALUE / 2);
            assertThat(lifecycle.isRunning()).isTrue();
            runtime.set(context.getBean(AsyncRuntime.class));
            assertThat(runtime.get().isClosed()).isFalse();
        });
        assertThat(runtime.get().isClosed()).isTrue();
    }

    @Test
    void runtimeIsShutDownWhenTheContextFailsToStart() {
        FailingConfiguration.runtime.set(null);
        this.contextRunner.withUserConfiguration(FailingConfiguration.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasRootCauseMessage("boom");
        });
        assertThat(FailingConfiguration.runtime.get()).isNotNull();
        assertThat(FailingConfiguration.runtime.get().isClosed()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({ "worker-threads, 0, 'workerThreads must be between 1 and 32767, got 0'",
            "worker-threads, 40000, 'workerThreads must be between 1 and 32767, got 40000'",
            "thread-name-prefix, '', 'threadNames prefix must be a non-blank string, got \"\"'",
            "global-queue-interval, 0, 'globalQueueInterval must be between 1 and 1000000, got 0'",
            "event-interval, -1, 'eventInterval must be between 1 and 1000000, got -1'",
            "lifo-slot.max-polls, 129, 'maxLifoPolls must be between 1 and 128, got 129'",
            "lane-share.normal, 0, 'laneShare(NORMAL) must be between 1 and 50, got 0'",
            "lane-share.background, 51, 'laneShare(BACKGROUND) must be between 1 and 50, got 51'",
            "shutdown-timeout, 0s, 'shutdownTimeout must be a positive duration, got PT0S'",
            "shutdown-timeout, -1s, 'shutdownTimeout must be a positive duration, got PT-1S'",
            "max-blocking-threads, 0, 'maxBlockingThreads must be between 1 and 1000000, got 0'",
            "blocking-queue-capacity, -1, 'blockingQueueCapacity must be between 0 and 2147483647, got -1'",
            "blocking-keep-alive, 0s, 'blockingKeepAlive must be between 1 ms and 1 day (PT1MS to PT24H), got PT0S'",
            "stall-threshold, 500us, 'stallThreshold must be between 1 ms and 1 h (PT0.001S to PT1H), or zero to turn stall detection off, got PT0.0005S'",
            "stall-threshold, 2h, 'stallThreshold must be between 1 ms and 1 h (PT0.001S to PT1H), or zero to turn stall detection off, got PT2H'",
            "worker-stack-size, 64KB, 'workerStackSize must be 0 (the JVM''s default) or between 131072 and 1073741824 bytes (128 KiB to 1 GiB), got 65536'",
            "worker-stack-size, 2GB, 'workerStackSize must be 0 (the JVM''s default) or between 131072 and 1073741824 bytes (128 KiB to 1 GiB), got 2147483648'",
            "blocking.pools.jdbc.max-threads, 0, 'maxThreads must be between 1 and 1000000, got 0'",
            "blocking.pools.jdbc.queue-capacity, -5, 'queueCapacity must be between 0 and 2147483647, got -5'",
            "blocking.pools.jdbc.keep-alive, 2d, 'keepAlive must be between 1 ms and 1 day (PT1MS to PT24H), got PT48H'" })
    void invalidValueFailsWithOneMessageNamingThePropertyTheValueAndTheRange(String property, String value,
            String reason) {
        String name = "async.runtime." + property;
        AtomicReference<Environment> environment = new AtomicReference<>();
        this.contextRunner.withPropertyValues(name + "=" + value)
            .withInitializer((context) -> environment.set(context.getEnvironment()))
            .run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = FailureAnalysisOf.startupFailure(context, environment.get());
            assertThat(analysis.getDescription())
                .startsWith("Invalid value '" + value.strip() + "' for configuration property '" + name + "'")
                .contains("Validation failed for the following reason:")
                .endsWith(reason);
            assertThat(analysis.getAction()).isEqualTo("Review the value of the property with the provided reason.");
        });
    }

    @Test
    void bootKeepsItsApplicationTaskExecutor() {
        this.contextRunner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
            .run((context) -> {
                assertThat(context).hasSingleBean(AsyncRuntime.class);
                assertThat(context).hasBean("applicationTaskExecutor");
                assertThat(context.getBean("applicationTaskExecutor")).isInstanceOf(ThreadPoolTaskExecutor.class);
            });
    }

    static String workerThreadName(AsyncRuntime runtime) throws Exception {
        Callable<String> threadName = () -> Thread.currentThread().getName();
        return runtime.spawn(threadName).get(10, TimeUnit.SECONDS);
    }

    /** Creates the runtime through a user bean, then fails before the lifecycle bean exists. */
    @Configuration(proxyBeanMethods = false)
    static class FailingConfiguration {

        static final AtomicReference<AsyncRuntime> runtime = new AtomicReference<>();

        @Bean
        String runtimeUser(AsyncRuntime asyncRuntime) {
            runtime.set(asyncRuntime);
            return "uses the runtime";
        }

        @Bean
        String failing() {
            throw new IllegalStateException("boom");
        }

    }

}

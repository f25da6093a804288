package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncRuntimeAutoConfiguration}.
 */
class AsyncRuntimeAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));

    @Test
    void defaultRuntimeHasOneWorkerPerProcessorAndNamedThreads() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(AsyncRuntime.class).hasSingleBean(AsyncRuntimeLifecycle.class);
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            assertThat(runtime.workerThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(workerThreadName(runtime)).startsWith("async-runtime-worker");
            AsyncRuntimeProperties properties = context.getBean(AsyncRuntimeProperties.class);
            assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.getGlobalQueueInterval()).isEqualTo(31);
            assertThat(properties.getEventInterval()).isEqualTo(61);
            assertThat(properties.getLifoSlot().isEnabled()).isTrue();
            assertThat(properties.getLaneShare().getNormal()).isEqualTo(25);
            assertThat(properties.getLaneShare().getBackground()).isEqualTo(10);
        });
    }

    @Test
    void propertiesConfigureTheRuntime() {
        this.contextRunner
            .withPropertyValues("async.runtime.worker-threads=3", "async.runtime.thread-name-prefix=orders",
                    "async.runtime.global-queue-interval=7", "async.runtime.event-interval=13",
                    "async.runtime.lifo-slot.enabled=false", "async.runtime.lane-share.normal=40",
                    "async.runtime.lane-share.background=5", "async.runtime.shutdown-timeout=5s")
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                assertThat(runtime.workerThreads()).isEqualTo(3);
                assertThat(workerThreadName(runtime)).startsWith("orders");
                AsyncRuntimeProperties properties = context.getBean(AsyncRuntimeProperties.class);
                assertThat(properties.getGlobalQueueInterval()).isEqualTo(7);
                assertThat(properties.getEventInterval()).isEqualTo(13);
                assertThat(properties.getLifoSlot().isEnabled()).isFalse();
                assertThat(properties.getLaneShare().getNormal()).isEqualTo(40);
                assertThat(properties.getLaneShare().getBackground()).isEqualTo(5);
                assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
            });
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
    @CsvSource({ "worker-threads, 0", "thread-name-prefix, ' '", "global-queue-interval, 0", "event-interval, -1",
            "lane-share.normal, 0", "lane-share.background, 51", "shutdown-timeout, 0s", "shutdown-timeout, -1s" })
    void invalidValueFailsNamingTheProperty(String property, String value) {
        String name = "async.runtime." + property;
        this.contextRunner.withPropertyValues(name + "=" + value).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(IllegalArgumentException.class);
            InvalidAsyncRuntimePropertyException failure = findCause(context.getStartupFailure());
            assertThat(failure.getProperty()).isEqualTo(name);
            assertThat(failure.getMessage()).contains(name);
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

    private static InvalidAsyncRuntimePropertyException findCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidAsyncRuntimePropertyException found) {
                return found;
            }
        }
        throw new AssertionError("No InvalidAsyncRuntimePropertyException in " + failure, failure);
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

package io.asyncruntime.spring.autoconfigure.task;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncRuntimeTaskExecutionAutoConfiguration}: {@code @Async} and
 * {@code @Scheduled} run on the runtime only when task integration is on, and Boot's executors
 * stay as they are when it is off.
 */
class AsyncRuntimeTaskExecutionAutoConfigurationTests {

    /** A thread of the runtime's blocking pool, where its executor and scheduler run tasks. */
    private static final String WORKER = "async-runtime-worker-blocking-\\d+";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                AsyncRuntimeTaskExecutionAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
                TaskSchedulingAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=2")
        .withUserConfiguration(AsyncAndScheduledConfiguration.class);

    @Test
    void offBootKeepsItsExecutorsAndTheRuntimesAreThereByNameOnly() {
        this.runner.run((context) -> {
            assertThat(context.getBean("applicationTaskExecutor")).isInstanceOf(ThreadPoolTaskExecutor.class);
            assertThat(context.getBean("taskScheduler")).isInstanceOf(ThreadPoolTaskScheduler.class);
            assertThat(context.getBean("asyncRuntimeExecutor")).isInstanceOf(AsyncRuntimeTaskExecutor.class);
            assertThat(context.getBean("asyncRuntimeScheduler")).isInstanceOf(AsyncRuntimeTaskScheduler.class);
            for (String name : new String[] { "asyncRuntimeExecutor", "asyncRuntimeScheduler" }) {
                AbstractBeanDefinition definition = (AbstractBeanDefinition) context.getBeanFactory()
                    .getBeanDefinition(name);
                assertThat(definition.isDefaultCandidate()).as(name).isFalse();
            }
            Jobs jobs = context.getBean(Jobs.class);
            Runs runs = context.getBean(Runs.class);
            assertThat(jobs.onDefaultExecutor().get(10, TimeUnit.SECONDS)).doesNotMatch(WORKER);
            assertThat(jobs.onRuntimeExecutor().get(10, TimeUnit.SECONDS)).matches(WORKER);
            assertThat(runs.scheduled.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(runs.scheduledOn.get()).doesNotMatch(WORKER);
            assertThat(runs.runtimeScheduled.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(runs.runtimeScheduledOn.get()).matches(WORKER);
        });
    }

    @Test
    void onAsyncAndScheduledRunOnTheRuntime() {
        this.runner.withPropertyValues("async.runtime.task-integration.enabled=true").run((context) -> {
            assertThat(context.getBean("applicationTaskExecutor")).isInstanceOf(AsyncRuntimeTaskExecutor.class)
                .isSameAs(context.getBean("taskExecutor"))
                .isSameAs(context.getBean("asyncRuntimeExecutor"));
            assertThat(context.getBean("taskScheduler")).isInstanceOf(AsyncRuntimeTaskScheduler.class)
                .isSameAs(context.getBean("asyncRuntimeScheduler"));
            assertThat(context).doesNotHaveBean(ThreadPoolTaskExecutor.class)
                .doesNotHaveBean(ThreadPoolTaskScheduler.class);
            assertThat(((AsyncRuntimeTaskExecutor) context.getBean("applicationTaskExecutor")).getRuntime())
                .isSameAs(context.getBean(AsyncRuntime.class));
            Jobs jobs = context.getBean(Jobs.class);
            Runs runs = context.getBean(Runs.class);
            assertThat(jobs.onDefaultExecutor().get(10, TimeUnit.SECONDS)).matches(WORKER);
            assertThat(runs.scheduled.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(runs.scheduledOn.get()).matches(WORKER);
        });
    }

    @Test
    void taskDecoratorsWrapTheRuntimesTasks() {
        ThreadLocal<String> traceId = new ThreadLocal<>();
        TaskDecorator carryTraceId = (task) -> {
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
        };
        this.runner.withBean(TaskDecorator.class, () -> carryTraceId).run((context) -> {
            AsyncRuntimeTaskExecutor executor = context.getBean("asyncRuntimeExecutor", AsyncRuntimeTaskExecutor.class);
            traceId.set("trace-7");
            try {
                assertThat(executor.submit(traceId::get).get(10, TimeUnit.SECONDS)).isEqualTo("trace-7");
            }
            finally {
                traceId.remove();
            }
        });
    }

    @Test
    void noTaskBeansWithTwoRuntimesAndNoPrimary() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                    AsyncRuntimeTaskExecutionAutoConfiguration.class))
            .withBean("second", AsyncRuntime.class, () -> AsyncRuntime.builder().workerThreads(1).build())
            .withBean("third", AsyncRuntime.class, () -> AsyncRuntime.builder().workerThreads(1).build())
            .run((context) -> assertThat(context).doesNotHaveBean("asyncRuntimeExecutor")
                .doesNotHaveBean("asyncRuntimeScheduler"));
    }

    @Test
    void aUserApplicationTaskExecutorWins() {
        this.runner.withPropertyValues("async.runtime.task-integration.enabled=true")
            .withBean("applicationTaskExecutor", ThreadPoolTaskExecutor.class, ThreadPoolTaskExecutor::new)
            .run((context) -> assertThat(context.getBean("applicationTaskExecutor"))
                .isInstanceOf(ThreadPoolTaskExecutor.class));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    @EnableScheduling
    static class AsyncAndScheduledConfiguration {

        @Bean
        Runs runs() {
            return new Runs();
        }

        @Bean
        Jobs jobs(Runs runs) {
            return new Jobs(runs);
        }

    }

    /** Where the scheduled methods ran (outside {@link Jobs}, which {@code @Async} proxies). */
    static class Runs {

        final CountDownLatch scheduled = new CountDownLatch(1);

        final AtomicReference<String> scheduledOn = new AtomicReference<>();

        final CountDownLatch runtimeScheduled = new CountDownLatch(1);

        final AtomicReference<String> runtimeScheduledOn = new AtomicReference<>();

    }

    /** {@code @Async} methods that tell their thread, {@code @Scheduled} ones that record it. */
    static class Jobs {

        private final Runs runs;

        Jobs(Runs runs) {
            this.runs = runs;
        }

        @Async
        public CompletableFuture<String> onDefaultExecutor() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("asyncRuntimeExecutor")
        public CompletableFuture<String> onRuntimeExecutor() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Scheduled(fixedDelay = 50)
        public void everyFiftyMillis() {
            this.runs.scheduledOn.compareAndSet(null, Thread.currentThread().getName());
            this.runs.scheduled.countDown();
        }

        @Scheduled(fixedDelay = 50, scheduler = "asyncRuntimeScheduler")
        public void everyFiftyMillisOnTheRuntime() {
            this.runs.runtimeScheduledOn.compareAndSet(null, Thread.currentThread().getName());
            this.runs.runtimeScheduled.countDown();
        }

    }

}

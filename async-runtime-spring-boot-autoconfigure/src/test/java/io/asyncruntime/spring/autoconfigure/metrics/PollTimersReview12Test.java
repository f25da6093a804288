package io.asyncruntime.spring.autoconfigure.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.PollSampleListener;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Review 12 reproducers for the starter's poll-time / schedule-latency timers. */
class PollTimersReview12Test {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                AsyncRuntimeMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=1", "async.runtime.metrics.poll-sampling-interval=1");

    /**
     * AsyncRuntime.samplePolls keeps one listener per runtime, and the starter's binder calls it
     * for every runtime by default (poll-sampling-interval 1024): an application that samples its
     * runtime's polls itself (its own HdrHistogram, a JFR event) silently loses its listener to the
     * starter, or, bound in the other order, the starter's timers stay flat. Both must be fed.
     */
    @Test
    void anApplicationsOwnPollSampleListenerAndTheStartersTimersAreBothFed() {
        this.contextRunner.withUserConfiguration(OwnSampling.class).run((context) -> {
            assertThat(context).hasNotFailed();
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            CountingListener own = context.getBean(CountingListener.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                runtime.spawn(Task.loop(0, (n) -> (n == 5000) ? Task.completed(Step.done(n))
                        : Task.yieldNow().map((v) -> Step.next(n + 1)))).get(10, TimeUnit.SECONDS);
                assertThat(registry.get("asyncruntime.poll.time").timer().count()).as("starter's timer").isPositive();
                assertThat(own.polls.get()).as("the application's own listener").isPositive();
            });
        });
    }

    /**
     * Issue 12: every bad value fails with a message naming the property. The interval is only
     * checked by the metrics auto-configuration, so without a MeterRegistry (no actuator, metrics
     * off) a bad value starts silently.
     */
    @Test
    void aBadPollSamplingIntervalFailsEvenWithoutAMeterRegistry() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class))
            .withPropertyValues("async.runtime.worker-threads=1", "async.runtime.metrics.poll-sampling-interval=-1")
            .run((context) -> assertThat(context).hasFailed());
    }

    /**
     * AsyncRuntimePollTimers (public) bound twice to one registry records each sample twice: the
     * registry hands back the same Timer and it is appended again (Micrometer's own binders are
     * idempotent per registry).
     */
    @Test
    void pollTimersBoundTwiceToOneRegistryRecordEachSampleOnce() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            AsyncRuntimePollTimers timers = new AsyncRuntimePollTimers();
            timers.bindTo(registry, Tags.of("runtime", "r"), runtime, 64);
            timers.bindTo(registry, Tags.of("runtime", "r"), runtime, 64);
            timers.pollTime(0, 1_000);
            assertThat(registry.get("asyncruntime.poll.time").timer().count()).isEqualTo(1);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnSampling {

        @Bean
        CountingListener ownPollSampling(AsyncRuntime runtime) {
            CountingListener listener = new CountingListener();
            runtime.samplePolls(1, listener);
            return listener;
        }

    }

    static final class CountingListener implements PollSampleListener {

        final AtomicLong polls = new AtomicLong();

        @Override
        public void pollTime(int worker, long nanos) {
            this.polls.incrementAndGet();
        }

        @Override
        public void scheduleLatency(long nanos) {
        }

    }

}

package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeProperties;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@code asyncruntime.*} meters of every {@link AsyncRuntime} of the context, each tagged
 * with its bean name. Boot binds every {@code MeterBinder} bean to the meter registry once all
 * singletons exist.
 */
@AutoConfiguration(after = { AsyncRuntimeAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ AsyncRuntime.class, MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ AsyncRuntime.class, MeterRegistry.class })
public final class AsyncRuntimeMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "asyncRuntimeMeterBinder")
    AsyncRuntimesMeterBinder asyncRuntimeMeterBinder(ApplicationContext context,
            ObjectProvider<AsyncRuntimeProperties> properties) {
        // Absent when async.runtime.enabled=false leaves the application's own runtimes unconfigured.
        int interval = properties.getIfAvailable(AsyncRuntimeProperties::new).getMetrics()
            .checkedPollSamplingInterval();
        return new AsyncRuntimesMeterBinder(() -> AsyncRuntimes.of(context), interval);
    }

    /**
     * Binds the meters of every runtime the context holds when the registry is bound, and, unless
     * the sampling interval is 0, the poll-time and schedule-latency timers fed by its workers.
     */
    static final class AsyncRuntimesMeterBinder implements MeterBinder {

        private final Supplier<Map<String, AsyncRuntime>> runtimes;

        private final int pollSamplingInterval;

        /** Per runtime bean name: its timers, shared by every registry bound. */
        private final Map<String, AsyncRuntimePollTimers> pollTimers = new ConcurrentHashMap<>();

        AsyncRuntimesMeterBinder(Supplier<Map<String, AsyncRuntime>> runtimes, int pollSamplingInterval) {
            this.runtimes = runtimes;
            this.pollSamplingInterval = pollSamplingInterval;
        }

        @Override
        public void bindTo(MeterRegistry registry) {
            this.runtimes.get().forEach((name, runtime) -> {
                new AsyncRuntimeMeterBinder(runtime, name).bindTo(registry);
                if (this.pollSamplingInterval > 0) {
                    this.pollTimers.computeIfAbsent(name, (key) -> new AsyncRuntimePollTimers())
                        .bindTo(registry, Tags.of(AsyncRuntimeMeterBinder.RUNTIME_TAG, name), runtime,
                                this.pollSamplingInterval);
                }
            });
        }

    }

}

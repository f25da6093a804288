package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.Map;
import java.util.function.Supplier;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

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
    AsyncRuntimesMeterBinder asyncRuntimeMeterBinder(ApplicationContext context) {
        return new AsyncRuntimesMeterBinder(() -> AsyncRuntimes.of(context));
    }

    /** Binds the meters of every runtime the context holds when the registry is bound. */
    static final class AsyncRuntimesMeterBinder implements MeterBinder {

        private final Supplier<Map<String, AsyncRuntime>> runtimes;

        AsyncRuntimesMeterBinder(Supplier<Map<String, AsyncRuntime>> runtimes) {
            this.runtimes = runtimes;
        }

        @Override
        public void bindTo(MeterRegistry registry) {
            this.runtimes.get().forEach((name, runtime) -> new AsyncRuntimeMeterBinder(runtime, name).bindTo(registry));
        }

    }

}

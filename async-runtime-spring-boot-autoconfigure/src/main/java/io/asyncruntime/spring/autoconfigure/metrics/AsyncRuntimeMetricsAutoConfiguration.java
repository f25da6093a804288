package io.asyncruntime.spring.autoconfigure.metrics;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@code asyncruntime.*} meters. Boot binds every {@code MeterBinder} bean to every meter
 * registry.
 */
@AutoConfiguration(after = { AsyncRuntimeAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ AsyncRuntime.class, MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(AsyncRuntime.class)
public final class AsyncRuntimeMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntimeMeterBinder asyncRuntimeMeterBinder(AsyncRuntime runtime) {
        return new AsyncRuntimeMeterBinder(runtime);
    }

}

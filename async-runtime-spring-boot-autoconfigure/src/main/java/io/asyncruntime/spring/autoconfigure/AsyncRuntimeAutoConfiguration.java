package io.asyncruntime.spring.autoconfigure;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeBuilder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * an {@link AsyncRuntime} built from the {@code async.runtime.*} properties, and the lifecycle
 * that shuts it down with the application context.
 *
 * <p>The runtime is deliberately not an {@code Executor} bean, so Boot's own
 * {@code applicationTaskExecutor} stays in place.
 */
@AutoConfiguration
@ConditionalOnClass(AsyncRuntime.class)
@ConditionalOnBooleanProperty(name = "async.runtime.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncRuntimeProperties.class)
public final class AsyncRuntimeAutoConfiguration {

    /*
     * The runtime keeps its inferred close() destroy method. The lifecycle normally shuts it down
     * first (at the right phase, with the configured timeout) and the destroy call is then a
     * no-op; but a context that fails to refresh never stops its lifecycles, and without the
     * destroy method the worker threads would outlive the failed context.
     */
    @Bean
    @ConditionalOnMissingBean
    AsyncRuntime asyncRuntime(AsyncRuntimeProperties properties,
            ObjectProvider<AsyncRuntimeBuilderCustomizer> customizers) {
        RuntimeBuilder builder = new AsyncRuntimeBuilderConfigurer(properties).configure(AsyncRuntime.builder());
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(AsyncRuntime.class)
    AsyncRuntimeLifecycle asyncRuntimeLifecycle(AsyncRuntime runtime) {
        return new AsyncRuntimeLifecycle(runtime);
    }

}

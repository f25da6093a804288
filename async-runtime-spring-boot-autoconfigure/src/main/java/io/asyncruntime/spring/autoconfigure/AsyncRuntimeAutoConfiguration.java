package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.spring.autoconfigure.context.AsyncRuntimeContextPropagationConfiguration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Scope;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * an {@link AsyncRuntime} built from the {@code async.runtime.*} properties, the builder beans an
 * application uses to build more runtimes with the same settings, and the lifecycle that shuts
 * every runtime of the context down when it closes.
 *
 * <p>The runtime is deliberately not an {@code Executor} bean, so Boot's own
 * {@code applicationTaskExecutor} stays in place.
 */
@AutoConfiguration(after = LifecycleAutoConfiguration.class)
@ConditionalOnClass(AsyncRuntime.class)
@ConditionalOnBooleanProperty(name = "async.runtime.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncRuntimeProperties.class)
@Import(AsyncRuntimeContextPropagationConfiguration.class)
public final class AsyncRuntimeAutoConfiguration {

    /** Spring's {@code DefaultLifecycleProcessor} default, used when Boot's lifecycle auto-configuration is absent. */
    private static final Duration SPRING_DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntimeBuilderConfigurer asyncRuntimeBuilderConfigurer(AsyncRuntimeProperties properties,
            ObjectProvider<AsyncRuntimeBuilderCustomizer> customizers) {
        return new AsyncRuntimeBuilderConfigurer(properties, customizers.orderedStream().toList());
    }

    /*
     * Prototype, as Boot's RestClient.Builder bean: a RuntimeBuilder is mutable, so every
     * injection point gets its own, already configured.
     */
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    @ConditionalOnMissingBean
    RuntimeBuilder asyncRuntimeBuilder(AsyncRuntimeBuilderConfigurer configurer) {
        return configurer.builder();
    }

    /*
     * The runtime keeps its inferred close() destroy method. The lifecycle normally shuts it down
     * first (at the right phase, bounded by the phase timeout) and the destroy call is then a
     * no-op; but a context that fails to refresh never stops its lifecycles, and without the
     * destroy method the worker threads would outlive the failed context.
     */
    @Bean
    @ConditionalOnMissingBean
    AsyncRuntime asyncRuntime(RuntimeBuilder asyncRuntimeBuilder) {
        return asyncRuntimeBuilder.build();
    }

    /*
     * The pools are created on the auto-configured runtime (a runtime of the application's own gets
     * them with AsyncRuntime.blockingPool); a bad value fails when this bean is created.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(AsyncRuntime.class)
    AsyncRuntimeBlockingPools asyncRuntimeBlockingPools(AsyncRuntime runtime, AsyncRuntimeBuilderConfigurer configurer) {
        return new AsyncRuntimeBlockingPools(runtime, configurer.blockingPools());
    }

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntimeLifecycle asyncRuntimeLifecycle(ApplicationContext context,
            ObjectProvider<LifecycleProperties> lifecycleProperties) {
        return new AsyncRuntimeLifecycle(context, () -> AsyncRuntimes.of(context),
                phaseTimeout(context.getEnvironment(), lifecycleProperties));
    }

    private static Duration phaseTimeout(Environment environment, ObjectProvider<LifecycleProperties> properties) {
        LifecycleProperties lifecycle = properties.getIfAvailable();
        if (lifecycle != null) {
            return lifecycle.getTimeoutPerShutdownPhase();
        }
        return Binder.get(environment)
            .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
            .orElse(SPRING_DEFAULT_PHASE_TIMEOUT);
    }

}

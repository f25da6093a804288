package io.asyncruntime.spring.autoconfigure.health;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimes;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * {@link AsyncRuntimeHealthIndicator}, switched off with
 * {@code management.health.asyncruntime.enabled=false}.
 *
 * <p>The contributor's name comes from its bean name: {@value #BEAN_NAME} shows as the
 * {@code asyncruntime} component of the health endpoint, matching the property key, the endpoint
 * id and the meter prefix. With one runtime it is that runtime's indicator; with several, a
 * composite with one indicator per runtime, named by bean name (as Boot does for data sources).
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass({ AsyncRuntime.class, HealthIndicator.class })
@ConditionalOnBean(AsyncRuntime.class)
@ConditionalOnEnabledHealthIndicator("asyncruntime")
public final class AsyncRuntimeHealthContributorAutoConfiguration {

    static final String BEAN_NAME = "asyncruntimeHealthContributor";

    @Bean(BEAN_NAME)
    @ConditionalOnMissingBean(name = { BEAN_NAME, "asyncruntimeHealthIndicator" })
    HealthContributor asyncruntimeHealthContributor(ApplicationContext context,
            ObjectProvider<AsyncRuntimeLifecycle> lifecycleProvider) {
        // Resolved now, while the context is alive: the indicators consult it during its close.
        AsyncRuntimeLifecycle lifecycle = lifecycleProvider.getIfAvailable();
        BooleanSupplier shuttingDown = (lifecycle != null) ? lifecycle::isShuttingDown : () -> false;
        Function<AsyncRuntime, HealthContributor> indicator = (runtime) -> new AsyncRuntimeHealthIndicator(runtime,
                shuttingDown);
        Map<String, AsyncRuntime> runtimes = AsyncRuntimes.of(context);
        if (runtimes.size() == 1) {
            return indicator.apply(runtimes.values().iterator().next());
        }
        return CompositeHealthContributor.fromMap(runtimes, indicator);
    }

}

package io.asyncruntime.spring.autoconfigure.health;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimes;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.CompositeHealthContributorConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
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
 * composite with one indicator per runtime, named by bean name (Boot's pattern for data sources).
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass({ AsyncRuntime.class, HealthIndicator.class })
@ConditionalOnBean(AsyncRuntime.class)
@ConditionalOnEnabledHealthIndicator("asyncruntime")
public final class AsyncRuntimeHealthContributorAutoConfiguration
        extends CompositeHealthContributorConfiguration<AsyncRuntimeHealthIndicator, AsyncRuntime> {

    static final String BEAN_NAME = "asyncruntimeHealthContributor";

    AsyncRuntimeHealthContributorAutoConfiguration(ObjectProvider<AsyncRuntimeLifecycle> lifecycle) {
        super((runtime) -> new AsyncRuntimeHealthIndicator(runtime, () -> {
            AsyncRuntimeLifecycle current = lifecycle.getIfAvailable();
            return current != null && current.isShuttingDown();
        }));
    }

    @Bean(BEAN_NAME)
    @ConditionalOnMissingBean(name = { BEAN_NAME, "asyncruntimeHealthIndicator" })
    HealthContributor asyncruntimeHealthContributor(ApplicationContext context) {
        return createContributor(AsyncRuntimes.of(context));
    }

}

package io.asyncruntime.spring.autoconfigure.health;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * {@link AsyncRuntimeHealthIndicator}, switched off with
 * {@code management.health.asyncruntime.enabled=false}.
 *
 * <p>The contributor's name comes from its bean name: {@value #BEAN_NAME} shows as the
 * {@code asyncruntime} component of the health endpoint, matching the property key, the endpoint
 * id and the meter prefix.
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass({ AsyncRuntime.class, HealthIndicator.class })
@ConditionalOnSingleCandidate(AsyncRuntime.class)
@ConditionalOnEnabledHealthIndicator("asyncruntime")
public final class AsyncRuntimeHealthContributorAutoConfiguration {

    static final String BEAN_NAME = "asyncruntimeHealthIndicator";

    @Bean(BEAN_NAME)
    @ConditionalOnMissingBean(name = BEAN_NAME)
    AsyncRuntimeHealthIndicator asyncruntimeHealthIndicator(AsyncRuntime runtime) {
        return new AsyncRuntimeHealthIndicator(runtime);
    }

}

package io.asyncruntime.spring.autoconfigure.endpoint;

import java.util.Map;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimes;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@link AsyncRuntimeEndpoint}, registered only when the endpoint is available (accessible
 * and exposed, for example with {@code management.endpoints.web.exposure.include=asyncruntime}).
 */
@AutoConfiguration(after = AsyncRuntimeAutoConfiguration.class)
// The condition annotation below lives in spring-boot-actuator-autoconfigure: without that jar it
// would be silently dropped, so the class condition names it too.
@ConditionalOnClass({ AsyncRuntime.class, Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(AsyncRuntime.class)
@ConditionalOnAvailableEndpoint(AsyncRuntimeEndpoint.class)
public final class AsyncRuntimeEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AsyncRuntimeEndpoint asyncRuntimeEndpoint(ApplicationContext context,
            ObjectProvider<AsyncRuntimeLifecycle> lifecycle) {
        return new AsyncRuntimeEndpoint(() -> AsyncRuntimes.of(context), () -> {
            AsyncRuntimeLifecycle shutdowns = lifecycle.getIfAvailable();
            return (shutdowns != null) ? shutdowns.shutdownReports() : Map.of();
        });
    }

}

package io.asyncruntime.spring.autoconfigure.context;

import io.asyncruntime.spring.autoconfigure.AsyncRuntimeBuilderCustomizer;
import io.asyncruntime.task.ContextPropagator;
import io.micrometer.context.ContextSnapshotFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Context propagation into the tasks of the runtimes built from the {@code RuntimeBuilder} bean:
 * with {@code io.micrometer:context-propagation} on the class path (and
 * {@code async.runtime.context-propagation.enabled}, on by default), every task runs with SLF4J's
 * MDC and the Micrometer context (observation, trace, security context) of the thread that
 * spawned it, through the core's {@link ContextPropagator} hook. Imported by
 * {@code AsyncRuntimeAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(ContextSnapshotFactory.class)
@ConditionalOnBooleanProperty(name = "async.runtime.context-propagation.enabled", matchIfMissing = true)
public class AsyncRuntimeContextPropagationConfiguration {

    /** The bean name of the customizer that adds the propagators. */
    public static final String CUSTOMIZER_NAME = "asyncRuntimeContextPropagationCustomizer";

    /*
     * First, so that a customizer of the application's adds its own propagators after these.
     * Order matters when the scopes close (last opened, first closed): the MDC scope, opened
     * first, closes last and so also removes what a tracing bridge put into the MDC when the
     * observation's scope opened.
     */
    @Bean(CUSTOMIZER_NAME)
    @ConditionalOnMissingBean(name = CUSTOMIZER_NAME)
    @Order(Ordered.HIGHEST_PRECEDENCE)
    AsyncRuntimeBuilderCustomizer asyncRuntimeContextPropagationCustomizer() {
        return (builder) -> builder.contextPropagator(ContextPropagator.slf4jMdc())
            .contextPropagator(new ContextSnapshotPropagator());
    }

}

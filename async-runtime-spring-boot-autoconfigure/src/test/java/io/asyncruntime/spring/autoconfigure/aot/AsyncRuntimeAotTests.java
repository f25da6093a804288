package io.asyncruntime.spring.autoconfigure.aot;

import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeProperties;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpointAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.health.AsyncRuntimeHealthContributorAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.metrics.AsyncRuntimeMetricsAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.task.AsyncRuntimeTaskExecutionAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter processed ahead of time, as for a native image: the hints the generated context
 * needs at run time are there.
 */
class AsyncRuntimeAotTests {

    @Test
    void aheadOfTimeProcessingRegistersTheHintsTheStarterNeeds() {
        RuntimeHints hints = processAheadOfTime();
        // Jackson writes the endpoint's response records by reflection.
        for (Class<?> type : new Class<?>[] { AsyncRuntimeEndpoint.RuntimesDescriptor.class,
                AsyncRuntimeEndpoint.RuntimeDescriptor.class, AsyncRuntimeEndpoint.MetricsDescriptor.class,
                AsyncRuntimeEndpoint.StallsDescriptor.class, AsyncRuntimeEndpoint.ShutdownDescriptor.class,
                AsyncRuntimeEndpoint.TaskDumpsDescriptor.class, AsyncRuntimeEndpoint.TaskDescriptor.class }) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(hints);
        }
        // The binder sets the properties through their setters.
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(AsyncRuntimeProperties.class, "setWorkerThreads"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethodInvocation(AsyncRuntimeProperties.LaneShare.class, "setBackground")).accepts(hints);
    }

    private static RuntimeHints processAheadOfTime() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            TestPropertyValues.of("management.endpoints.web.exposure.include=asyncruntime").applyTo(context);
            context.register(StarterConfiguration.class);
            DefaultGenerationContext generation = new DefaultGenerationContext(
                    new ClassNameGenerator(ClassName.get(AsyncRuntimeAotTests.class)), new InMemoryGeneratedFiles());
            new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
            return generation.getRuntimeHints();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ AsyncRuntimeAutoConfiguration.class, LifecycleAutoConfiguration.class,
            AsyncRuntimeHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
            AsyncRuntimeMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
            AsyncRuntimeEndpointAutoConfiguration.class, AsyncRuntimeTaskExecutionAutoConfiguration.class,
            TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class })
    static class StarterConfiguration {

    }

}

package io.asyncruntime.spring.autoconfigure.endpoint;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.net.TcpListener;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeBuilderCustomizer;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint.IoDescriptor;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint.RuntimeDescriptor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncRuntimeEndpointAutoConfiguration} and {@link AsyncRuntimeEndpoint}.
 */
class AsyncRuntimeEndpointAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                AsyncRuntimeEndpointAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=2");

    @Test
    void endpointIsNotAvailableByDefault() {
        this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(AsyncRuntimeEndpoint.class));
    }

    @Test
    void exposedEndpointDescribesTheRuntime() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .run((context) -> {
                assertThat(context).hasSingleBean(AsyncRuntimeEndpoint.class);
                RuntimeDescriptor descriptor = context.getBean(AsyncRuntimeEndpoint.class)
                    .runtimes()
                    .runtimes()
                    .get("asyncRuntime");
                assertThat(descriptor.running()).isTrue();
                assertThat(descriptor.metrics().workers()).isEqualTo(2);
                assertThat(descriptor.metrics().activeTimers()).isZero();
                assertThat(descriptor.io().enabled()).isTrue();
                assertThat(descriptor.io().openRegistrations()).isZero();
                assertThat(descriptor.blockingPools()).singleElement()
                    .satisfies((pool) -> assertThat(pool.name()).isEqualTo("default"))
                    .satisfies((pool) -> assertThat(pool.maxThreads()).isEqualTo(512));
            });
    }

    @Test
    void endpointCountsOpenSockets() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                AsyncRuntimeEndpoint endpoint = context.getBean(AsyncRuntimeEndpoint.class);
                try (TcpListener listener = runtime
                    .blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
                    IoDescriptor io = endpoint.runtimes().runtimes().get("asyncRuntime").io();
                    assertThat(io.openRegistrations()).isEqualTo(1);
                    assertThat(io.registrations()).isGreaterThanOrEqualTo(1);
                }
                assertThat(endpoint.runtimes().runtimes().get("asyncRuntime").io().openRegistrations()).isZero();
            });
    }

    @Test
    void endpointShowsARuntimeWithoutIo() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .withBean(AsyncRuntimeBuilderCustomizer.class, () -> (builder) -> builder.enableIo(false))
            .run((context) -> assertThat(context.getBean(AsyncRuntimeEndpoint.class)
                .runtimes()
                .runtimes()
                .get("asyncRuntime")
                .io()).isEqualTo(new IoDescriptor(false, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void exposedButNoAccessMeansNoEndpoint() {
        this.contextRunner
            .withPropertyValues("management.endpoints.web.exposure.include=asyncruntime",
                    "management.endpoint.asyncruntime.access=NONE")
            .run((context) -> assertThat(context).doesNotHaveBean(AsyncRuntimeEndpoint.class));
    }

    @Test
    void noEndpointWithoutARuntime() {
        this.contextRunner
            .withPropertyValues("management.endpoints.web.exposure.include=asyncruntime",
                    "async.runtime.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(AsyncRuntimeEndpoint.class));
    }

}

package io.asyncruntime.spring.autoconfigure.endpoint;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.net.TcpListener;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeBuilderCustomizer;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint.StallsDescriptor;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint.TaskDumpDescriptor;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint.IoDescriptor;
import io.asyncruntime.spring.autoconfigure.endpoint.AsyncRuntimeEndpoint.RuntimeDescriptor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.convert.ConversionServiceParameterValueMapper;
import org.springframework.boot.actuate.endpoint.web.EndpointMediaTypes;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpointDiscoverer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncRuntimeEndpointAutoConfiguration} and {@link AsyncRuntimeEndpoint}.
 */
class AsyncRuntimeEndpointAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                AsyncRuntimeEndpointAutoConfiguration.class))
        // Tests leave idle tasks behind: the context's close aborts them after 200 ms, not 9 s.
        .withPropertyValues("async.runtime.worker-threads=2", "async.runtime.shutdown-timeout=200ms");

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


    @Test
    void tasksSubPathListsTheLiveTasksOfEveryRuntime() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                AsyncRuntimeEndpoint endpoint = context.getBean(AsyncRuntimeEndpoint.class);
                runtime.spawn(Task.never(), Priority.BACKGROUND, "orders-poller");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    TaskDumpDescriptor dump = endpoint.tasks(AsyncRuntimeEndpoint.TASKS, null)
                        .runtimes()
                        .get("asyncRuntime");
                    assertThat(dump.liveTasks()).isEqualTo(1);
                    assertThat(dump.truncated()).isFalse();
                    assertThat(dump.tasks()).singleElement().satisfies((task) -> {
                        assertThat(task.name()).isEqualTo("orders-poller");
                        assertThat(task.lane()).isEqualTo("BACKGROUND");
                        assertThat(task.state()).isEqualTo("IDLE");
                        assertThat(task.polls()).isEqualTo(1);
                        assertThat(task.cancelRequested()).isFalse();
                    });
                });
                TaskDumpDescriptor none = endpoint.tasks(AsyncRuntimeEndpoint.TASKS, 0).runtimes().get("asyncRuntime");
                assertThat(none.tasks()).isEmpty();
                assertThat(none.liveTasks()).isEqualTo(1);
                assertThat(none.truncated()).isTrue();
                assertThat(endpoint.runtimes().runtimes().get("asyncRuntime").tasks().liveTasks()).isEqualTo(1);
            });
    }

    @Test
    void anUnknownSubPathIsNotFoundAndABadLimitIsRejected() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .run((context) -> {
                AsyncRuntimeEndpoint endpoint = context.getBean(AsyncRuntimeEndpoint.class);
                assertThat(endpoint.tasks("workers", null)).isNull();
                assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.tasks(AsyncRuntimeEndpoint.TASKS, -1))
                    .withMessage("limit must be between 0 and 100000, got -1");
                assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.tasks(AsyncRuntimeEndpoint.TASKS, 100_001))
                    .withMessage("limit must be between 0 and 100000, got 100001");
            });
    }

    @Test
    void endpointShowsTheStallCountAndTheLatestStalls() {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        try {
            this.contextRunner
                .withPropertyValues("management.endpoints.web.exposure.include=asyncruntime",
                        "async.runtime.stall-threshold=50ms")
                .run((context) -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    AsyncRuntimeEndpoint endpoint = context.getBean(AsyncRuntimeEndpoint.class);
                    StallsDescriptor before = endpoint.runtimes().runtimes().get("asyncRuntime").stalls();
                    assertThat(before.enabled()).isTrue();
                    assertThat(before.threshold()).isEqualTo(Duration.ofMillis(50));
                    assertThat(before.count()).isZero();
                    assertThat(before.recent()).isEmpty();
                    runtime.spawn((cx) -> {
                        spinning.set(true);
                        while (!release.get()) {
                            Thread.onSpinWait();
                        }
                        return Poll.ready(null);
                    }, Priority.NORMAL, "jdbc-call-on-a-worker");
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        StallsDescriptor stalls = endpoint.runtimes().runtimes().get("asyncRuntime").stalls();
                        assertThat(stalls.count()).isEqualTo(1);
                        assertThat(stalls.recent()).singleElement().satisfies((stall) -> {
                            assertThat(stall.task()).isEqualTo("jdbc-call-on-a-worker");
                            assertThat(stall.worker()).startsWith("async-runtime-worker-");
                            assertThat(stall.inPoll()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
                        });
                    });
                    release.set(true);
                });
        }
        finally {
            release.set(true);
        }
    }

    @Test
    void endpointShowsTheShutdownReportOnceTheContextClosed() {
        // A closed context serves no requests and looks up no beans: this endpoint reads the
        // runtime and the lifecycle the closed context had, as a final read of the endpoint would.
        AtomicReference<AsyncRuntimeEndpoint> endpoint = new AtomicReference<>();
        this.contextRunner.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=asyncruntime",
                    "async.runtime.shutdown-timeout=200ms")
            .run((context) -> {
                AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                AsyncRuntimeLifecycle lifecycle = context.getBean(AsyncRuntimeLifecycle.class);
                endpoint.set(new AsyncRuntimeEndpoint(() -> Map.of("asyncRuntime", runtime),
                        lifecycle::shutdownReports));
                assertThat(endpoint.get().runtimes().runtimes().get("asyncRuntime").shutdown()).isNull();
                runtime.spawn(Task.never());
            });
        RuntimeDescriptor closed = endpoint.get().runtimes().runtimes().get("asyncRuntime");
        assertThat(closed.running()).isFalse();
        assertThat(closed.shutdown()).isNotNull().satisfies((report) -> {
            assertThat(report.drained()).isFalse();
            assertThat(report.aborted()).isEqualTo(1);
            assertThat(report.deadline()).isEqualTo(Duration.ofMillis(200));
        });
    }


    @Test
    void theTaskDumpIsServedAtTheTasksSubPathWithAnOptionalLimit() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=asyncruntime")
            .run((context) -> {
                context.getBean(AsyncRuntime.class).spawn(Task.never(), Priority.NORMAL, "a");
                context.getBean(AsyncRuntime.class).spawn(Task.never(), Priority.NORMAL, "b");
                // What Boot's web endpoint support discovers (its auto-configuration needs a web
                // application; the discoverer and the parameter mapping are the same).
                ExposableWebEndpoint endpoint = new WebEndpointDiscoverer(context,
                        new ConversionServiceParameterValueMapper(), EndpointMediaTypes.DEFAULT, List.of(), List.of(),
                        List.of(), List.of(), List.of())
                    .getEndpoints()
                    .stream()
                    .filter((candidate) -> candidate.getEndpointId().toString().equals("asyncruntime"))
                    .findFirst()
                    .orElseThrow();
                assertThat(endpoint.getOperations()).extracting((operation) -> operation.getRequestPredicate().getPath())
                    .containsExactlyInAnyOrder("asyncruntime", "asyncruntime/{section}");
                WebOperation tasks = endpoint.getOperations()
                    .stream()
                    .filter((operation) -> operation.getRequestPredicate().getPath().endsWith("{section}"))
                    .findFirst()
                    .orElseThrow();
                // What a GET /actuator/asyncruntime/tasks, with and without ?limit=1, passes on.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        ((AsyncRuntimeEndpoint.TaskDumpsDescriptor) tasks.invoke(invocation(Map.of("section", "tasks"))))
                            .runtimes()
                            .get("asyncRuntime")
                            .tasks()).hasSize(2));
                TaskDumpDescriptor one = ((AsyncRuntimeEndpoint.TaskDumpsDescriptor) tasks
                    .invoke(invocation(Map.of("section", "tasks", "limit", "1")))).runtimes().get("asyncRuntime");
                assertThat(one.tasks()).hasSize(1);
                assertThat(one.truncated()).isTrue();
                assertThat(tasks.invoke(invocation(Map.of("section", "other")))).isNull();
                assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> tasks.invoke(invocation(Map.of("section", "tasks", "limit", "-1"))));
            });
    }

    private static InvocationContext invocation(Map<String, Object> arguments) {
        return new InvocationContext(SecurityContext.NONE, arguments);
    }

}

package io.asyncruntime.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the runtimes of a real application context shut down when it closes: readiness first,
 * then the runtimes, within the lifecycle phase timeout, with every task in flight finished or
 * cancelled.
 */
class AsyncRuntimeShutdownTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                LifecycleAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=2", "async.runtime.shutdown-timeout=5s",
                "spring.lifecycle.timeout-per-shutdown-phase=10s");

    @Test
    void readinessRefusesTrafficBeforeTheRuntimeStops() {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<AsyncRuntime> runtime = new AtomicReference<>();
        this.runner.withBean(ReadinessRecorder.class, () -> new ReadinessRecorder(events, runtime)).run((context) -> {
            runtime.set(context.getBean(AsyncRuntime.class));
            // A runner context is never declared ready by SpringApplication: do what it does.
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
            context.close();
            assertThat(runtime.get().isClosed()).isTrue();
        });
        assertThat(events).containsExactly("ACCEPTING_TRAFFIC, runtime closed: false",
                "REFUSING_TRAFFIC, runtime closed: false");
    }

    @Test
    void theContextsEveryRuntimeIsShutDown() {
        AtomicReference<AsyncRuntime> extra = new AtomicReference<>();
        AtomicReference<AsyncRuntime> auto = new AtomicReference<>();
        this.runner
            .withBean("extraRuntime", AsyncRuntime.class,
                    () -> extra.updateAndGet((none) -> AsyncRuntime.builder().workerThreads(1).build()),
                    (definition) -> definition.setDestroyMethodName(null))
            .withPropertyValues("async.runtime.enabled=true")
            .run((context) -> auto.set(context.getBean("extraRuntime", AsyncRuntime.class)));
        // The lifecycle closed it, not its destroy method (removed above).
        assertThat(extra.get().isClosed()).isTrue();
        assertThat(auto.get()).isSameAs(extra.get());
    }

    /** Records each readiness change with whether the runtime was closed at that moment. */
    static final class ReadinessRecorder implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

        private final List<String> events;

        private final AtomicReference<AsyncRuntime> runtime;

        ReadinessRecorder(List<String> events, AtomicReference<AsyncRuntime> runtime) {
            this.events = events;
            this.runtime = runtime;
        }

        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
            AsyncRuntime current = this.runtime.get();
            this.events.add(event.getState() + ", runtime closed: " + (current != null && current.isClosed()));
        }

    }

}

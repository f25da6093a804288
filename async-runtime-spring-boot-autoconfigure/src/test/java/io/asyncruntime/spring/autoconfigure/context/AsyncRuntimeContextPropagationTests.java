package io.asyncruntime.spring.autoconfigure.context;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeAutoConfiguration;
import io.asyncruntime.task.JoinHandle;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Context propagation into the runtime's tasks: what a request thread has in its MDC and its
 * current observation follows a task, on whichever worker it runs, into the tasks it spawns.
 */
class AsyncRuntimeContextPropagationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class))
        .withPropertyValues("async.runtime.worker-threads=2");

    private final ObservationRegistry observations = ObservationRegistry.create();

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void aTraceIdInTheMdcAndTheCurrentObservationReachAGrandchildTaskOnAnotherWorker() {
        this.runner.run((context) -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            Observation request = Observation.start("http.request", this.observations);
            Seen seen;
            MDC.put("traceId", "4bf92f3577b34da6");
            try (Observation.Scope scope = request.openScope()) {
                seen = runtime.spawn(() -> childSpawningOnAnotherWorker(runtime)).get(20, TimeUnit.SECONDS);
            }
            finally {
                MDC.clear();
                request.stop();
            }
            assertThat(seen.grandchildThread()).as("grandchild ran on a worker other than its parent's")
                .isNotEqualTo(seen.childThread())
                .startsWith("async-runtime-worker-");
            assertThat(seen.childTraceId()).isEqualTo("4bf92f3577b34da6");
            assertThat(seen.grandchildTraceId()).isEqualTo("4bf92f3577b34da6");
            assertThat(seen.grandchildObservation()).isSameAs(request);
            // The workers' own context is restored after every poll: nothing leaks to the next task.
            JoinHandle<Seen> clean = runtime.spawn(() -> new Seen(null, MDC.get("traceId"), null, null,
                    this.observations.getCurrentObservation()));
            Seen after = clean.get(10, TimeUnit.SECONDS);
            assertThat(after.childTraceId()).isNull();
            assertThat(after.grandchildObservation()).isNull();
        });
    }

    /*
     * Runs as the child: spawns two grandchildren (the newer goes to the worker's LIFO slot, the
     * older to its queue, where the idle worker steals it) and keeps its worker busy until one of
     * them ran on the other worker.
     */
    private Seen childSpawningOnAnotherWorker(AsyncRuntime runtime) throws Exception {
        String childThread = Thread.currentThread().getName();
        String childTraceId = MDC.get("traceId");
        AtomicBoolean otherWorkerRan = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Seen> seen = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < 2; i++) {
            runtime.spawn(() -> {
                String thread = Thread.currentThread().getName();
                if (!thread.equals(childThread)) {
                    seen.set(new Seen(childThread, childTraceId, thread, MDC.get("traceId"),
                            this.observations.getCurrentObservation()));
                    otherWorkerRan.set(true);
                }
                return null;
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!otherWorkerRan.get() && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        assertThat(otherWorkerRan).as("a grandchild ran on the other worker within 10 s").isTrue();
        return seen.get();
    }

    @Test
    void propagationCanBeTurnedOff() {
        this.runner.withPropertyValues("async.runtime.context-propagation.enabled=false").run((context) -> {
            assertThat(context).doesNotHaveBean(AsyncRuntimeContextPropagationConfiguration.CUSTOMIZER_NAME);
            MDC.put("traceId", "off");
            try {
                assertThat(context.getBean(AsyncRuntime.class).spawn(() -> MDC.get("traceId")).get(10, TimeUnit.SECONDS))
                    .isNull();
            }
            finally {
                MDC.clear();
            }
        });
    }

    @Test
    void withoutTheContextPropagationLibraryNothingIsPropagated() {
        this.runner.withClassLoader(new FilteredClassLoader(ContextSnapshotFactory.class))
            .run((context) -> assertThat(context)
                .doesNotHaveBean(AsyncRuntimeContextPropagationConfiguration.CUSTOMIZER_NAME));
    }

    @Test
    void aRuntimeBuiltFromTheBuilderBeanPropagatesToo() {
        this.runner.run((context) -> {
            try (AsyncRuntime mine = context.getBean(RuntimeBuilder.class).workerThreads(1).build()) {
                MDC.put("traceId", "mine");
                assertThat(mine.spawn(() -> MDC.get("traceId")).get(10, TimeUnit.SECONDS)).isEqualTo("mine");
            }
            finally {
                MDC.clear();
            }
        });
    }

    @Test
    void aNullSnapshotOpensAnEmptyScopeAndANullFactoryIsRejected() {
        new ContextSnapshotPropagator().open(null).close();
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
            .isThrownBy(() -> new ContextSnapshotPropagator(null))
            .withMessage("snapshots must not be null");
    }

    /** What the child and the grandchild saw. */
    record Seen(String childThread, String childTraceId, String grandchildThread, String grandchildTraceId,
            Observation grandchildObservation) {
    }

}

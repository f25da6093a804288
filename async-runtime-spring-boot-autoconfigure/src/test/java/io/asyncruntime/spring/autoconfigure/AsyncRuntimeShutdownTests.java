package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ShutdownReport;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the runtimes of a real application context shut down when it closes: readiness first,
 * then the runtimes, within the lifecycle phase timeout, with every task in flight finished or
 * cancelled.
 */
@ExtendWith(OutputCaptureExtension.class)
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

    @Test
    void tasksInFlightWhenTheContextClosesCompleteAndTheReportIsLogged(CapturedOutput output) throws Exception {
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        AtomicInteger finished = new AtomicInteger();
        AtomicReference<AsyncRuntimeLifecycle> lifecycle = new AtomicReference<>();
        this.runner.run((context) -> {
            lifecycle.set(context.getBean(AsyncRuntimeLifecycle.class));
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            for (int i = 0; i < 20; i++) {
                int value = i;
                // Idle on a timer when the context closes: the drain must wait for it.
                handles.add(runtime.spawn(Time.sleep(Duration.ofMillis(300)).map((done) -> {
                    finished.incrementAndGet();
                    return value;
                })));
            }
            context.close();
            assertThat(runtime.isClosed()).isTrue();
        });
        assertThat(finished).hasValue(20);
        for (int i = 0; i < handles.size(); i++) {
            assertThat(handles.get(i).isDone()).isTrue();
            assertThat(handles.get(i).isCancelled()).isFalse();
            assertThat(handles.get(i).get(1, TimeUnit.SECONDS)).isEqualTo(i);
        }
        ShutdownReport report = lifecycle.get().shutdownReports().get("asyncRuntime");
        assertThat(report).isNotNull();
        assertThat(report.drained()).as("drained: %s", report).isTrue();
        assertThat(report.completed()).isGreaterThanOrEqualTo(20);
        assertThat(report.aborted()).isZero();
        assertThat(report.deadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(output).contains("Async runtime 'asyncRuntime' shut down in").contains("tasks completed");
    }

    @Test
    void aStuckTaskAndAnIdleOneAreAbortedWithinThePhaseTimeoutAndReported(CapturedOutput output) throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        AtomicReference<AsyncRuntimeLifecycle> lifecycle = new AtomicReference<>();
        AtomicReference<JoinHandle<Void>> stuck = new AtomicReference<>();
        AtomicReference<JoinHandle<Object>> idle = new AtomicReference<>();
        try {
            this.runner
                .withPropertyValues("async.runtime.shutdown-timeout=8s",
                        "spring.lifecycle.timeout-per-shutdown-phase=2s")
                .run((context) -> {
                    lifecycle.set(context.getBean(AsyncRuntimeLifecycle.class));
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    stuck.set(runtime.spawn(spinUntil(spinning, release)));
                    idle.set(runtime.spawn(Task.never()));
                    await().atMost(Duration.ofSeconds(10)).untilTrue(spinning);
                    long start = System.nanoTime();
                    context.close();
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    // The drain gets 1.5 s of the 2 s phase; the rest is for aborting and stopping.
                    assertThat(took).isLessThan(Duration.ofMillis(2500));
                });
            ShutdownReport report = lifecycle.get().shutdownReports().get("asyncRuntime");
            assertThat(report).isNotNull();
            assertThat(idle.get().isCancelled()).as("idle task cancelled when close returned; %s", report).isTrue();
            assertThat(report.deadline()).isEqualTo(Duration.ofMillis(1500));
            assertThat(report.drained()).isFalse();
            assertThat(report.aborted()).as("aborted: %s", report).isEqualTo(2);
            assertThat(report.stillRunning()).as("still running: %s", report).isEqualTo(1);
            assertThat(output).contains("Async runtime 'asyncRuntime' shut down in")
                .contains("with work left: 0 tasks completed, 2 aborted after PT1.5S (1 of them still inside a poll");
        }
        finally {
            release.set(true);
        }
        // Released, the stuck poll returns and its handle completes.
        await().atMost(Duration.ofSeconds(10)).until(() -> stuck.get().isDone());
    }

    /** A task that spins inside one poll until released, ignoring cancellation. */
    private static Task<Void> spinUntil(AtomicBoolean spinning, AtomicBoolean release) {
        return (cx) -> {
            spinning.set(true);
            while (!release.get()) {
                Thread.onSpinWait();
            }
            return Poll.ready(null);
        };
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

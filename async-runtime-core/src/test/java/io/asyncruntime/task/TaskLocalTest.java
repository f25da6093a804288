package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.helpers.BasicMDCAdapter;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskLocalTest {

    private static final TaskLocal<String> REQUEST = new TaskLocal<>("requestId");
    private static final TaskLocal<Integer> DEPTH = new TaskLocal<>("depth");

    @Test
    void getOutsideAnyScopeFailsWithTheLocalsName() {
        assertThatThrownBy(REQUEST::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("task-local \"requestId\" is not set");
        assertThat(REQUEST.tryGet()).isEmpty();
        assertThat(REQUEST.isSet()).isFalse();
        assertThatThrownBy(() -> REQUEST.scope(null, Task.completed(1))).isInstanceOf(NullPointerException.class)
                .hasMessage("value of task-local \"requestId\" must not be null");
        assertThatThrownBy(() -> new TaskLocal<>(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aScopeBindsDuringEachPollAndNestedScopesShadow() throws Exception {
        Task<String> inner = Task.call(() -> REQUEST.get() + "/" + DEPTH.get());
        Task<String> task = REQUEST.scope("outer", DEPTH.scope(1, Task.yieldNow().flatMap(v -> inner)
                .flatMap(first -> REQUEST.scope("inner", Task.call(() -> first + " " + REQUEST.get())))));
        assertThat(ManualContext.runToCompletion(task)).isEqualTo("outer/1 inner");
        assertThat(REQUEST.isSet()).as("nothing left on the thread").isFalse();
        assertThat(REQUEST.callWith("c", REQUEST::get)).isEqualTo("c");
        assertThat(REQUEST.isSet()).isFalse();
    }

    @Test
    void spawnedTasksInheritTheirSpawnersValuesOnAnyWorker() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Task<List<String>> parent = REQUEST.scope("r-1", Task.call(() -> {
                JoinHandle<String> child = AsyncRuntime.current().spawn(Task.yieldNow().flatMap(v -> Task.call(() -> {
                    JoinHandle<String> grandchild = AsyncRuntime.current().spawn(Task.call(REQUEST::get));
                    return REQUEST.get() + "+" + Thread.currentThread().getName().startsWith("async-runtime-worker");
                })));
                JoinHandle<String> unscoped = AsyncRuntime.current().spawn(REQUEST.scope("r-2", Task.call(REQUEST::get)));
                return List.of(child, unscoped);
            })).flatMap(handles -> Task.all(handles));
            assertThat(runtime.blockOn(parent)).containsExactly("r-1+true", "r-2");

            JoinHandle<?>[] fromPlainThread = new JoinHandle<?>[1];
            REQUEST.runWith("from-servlet", () -> fromPlainThread[0] = runtime.spawn(() -> REQUEST.get()));
            assertThat(fromPlainThread[0].get(10, TimeUnit.SECONDS)).isEqualTo("from-servlet");
            assertThat(runtime.spawn(() -> REQUEST.tryGet().orElse("none")).get(10, TimeUnit.SECONDS))
                    .as("a spawn outside runWith carries nothing").isEqualTo("none");
        }
    }

    @Test
    void aWorkerCarriesNoValueFromOneTaskToTheNext() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Probe<String> parked = new Probe<>();
            JoinHandle<String> scoped = runtime.spawn(REQUEST.scope("leaky", parked));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> parked.polls > 0);
            assertThat(runtime.spawn(() -> REQUEST.isSet()).get(10, TimeUnit.SECONDS)).isFalse();
            parked.complete("done");
            assertThat(scoped.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        }
    }

    @Test
    void withNothingToCarryASpawnKeepsItsTask() {
        Task<Integer> task = Task.completed(1);
        assertThat(ContextCarrier.none().carry(task)).isSameAs(task);
        assertThat(ContextCarrier.none().hasContextToCarry()).isFalse();
        REQUEST.runWith("x", () -> assertThat(ContextCarrier.none().carry(task)).isNotSameAs(task));
    }

    /** A propagator over a plain thread-local, as a tracing library's would be. */
    private static final ThreadLocal<String> TRACE = new ThreadLocal<>();

    private static final ContextPropagator<String> TRACE_PROPAGATOR = new ContextPropagator<>() {
        @Override
        public String capture() {
            return TRACE.get();
        }

        @Override
        public Scope open(String captured) {
            String previous = TRACE.get();
            TRACE.set(captured);
            return () -> TRACE.set(previous);
        }
    };

    @Test
    void aRegisteredPropagatorFollowsTheTaskAcrossWorkersAndIsRemovedAfterEachPoll() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).contextPropagator(TRACE_PROPAGATOR).build()) {
            Map<String, String> seenPerPoll = new ConcurrentHashMap<>();
            TRACE.set("trace-9");
            JoinHandle<Integer> handle;
            try {
                handle = runtime.spawn(Task.loop(0, n -> n == 50
                        ? Task.completed(Step.done(n))
                        : Task.yieldNow().map(v -> {
                            seenPerPoll.merge(String.valueOf(TRACE.get()), "", (a, b) -> a);
                            return Step.next(n + 1);
                        })));
            } finally {
                TRACE.remove();
            }
            assertThat(handle.get(10, TimeUnit.SECONDS)).isEqualTo(50);
            assertThat(seenPerPoll).containsOnlyKeys("trace-9");
            assertThat(runtime.spawn(() -> String.valueOf(TRACE.get())).get(10, TimeUnit.SECONDS))
                    .as("spawned with no trace, and the worker kept none").isEqualTo("null");
        }
        assertThatThrownBy(() -> AsyncRuntime.builder().contextPropagator(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contextPropagator must not be null");
    }

    @Test
    void blockingWorkCarriesItsSpawnersContextAndTheBlockingThreadKeepsNone() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1)
                .contextPropagator(TRACE_PROPAGATOR).build()) {
            io.asyncruntime.BlockingPool jdbc = runtime.blockingPool("jdbc", io.asyncruntime.BlockingLimits.defaults()
                    .maxThreads(1));
            // From a task: a task-local and the propagated trace reach work on the runtime's pool
            // and on a named pool, then a grandchild task spawned from that blocking thread.
            Task<List<String>> parent = REQUEST.scope("r-7", Task.call(() -> {
                TRACE.set("trace-7"); // what a tracing library's instrumentation does on this poll
                try {
                    return List.<JoinHandle<String>>of(
                            AsyncRuntime.current().spawnBlocking(() -> REQUEST.get() + "/" + TRACE.get()),
                            jdbc.spawnBlocking(() -> REQUEST.get() + "/" + TRACE.get()),
                            AsyncRuntime.current().spawnBlocking(() -> AsyncRuntime.current()
                                    .spawn(() -> "grandchild " + REQUEST.get() + "/" + TRACE.get()).get(10, TimeUnit.SECONDS)));
                } finally {
                    TRACE.remove();
                }
            })).flatMap(handles -> Task.all(handles));
            assertThat(runtime.blockOn(parent)).containsExactly("r-7/trace-7", "r-7/trace-7", "grandchild r-7/trace-7");

            // From a plain thread, through trySpawnBlocking; then the same (only) pool thread runs
            // work spawned with no context, and sees none: the thread kept nothing.
            TRACE.set("servlet-trace");
            JoinHandle<String> fromServlet;
            try {
                fromServlet = REQUEST.callWith("servlet", () -> runtime.trySpawnBlocking(() -> REQUEST.get() + "/" + TRACE.get()));
            } finally {
                TRACE.remove();
            }
            assertThat(fromServlet.get(10, TimeUnit.SECONDS)).isEqualTo("servlet/servlet-trace");
            assertThat(runtime.spawnBlocking(() -> REQUEST.isSet() + "/" + TRACE.get()).get(10, TimeUnit.SECONDS))
                    .isEqualTo("false/null");
            assertThat(jdbc.trySpawnBlocking(() -> REQUEST.isSet() + "/" + TRACE.get()).get(10, TimeUnit.SECONDS))
                    .isEqualTo("false/null");
        }
    }

    @Test
    void aPropagatorThatFailsToCloseIsLoggedAndTheTaskKeepsItsValue() throws Exception {
        ContextPropagator<String> broken = new ContextPropagator<>() {
            @Override
            public String capture() {
                return "x";
            }

            @Override
            public Scope open(String captured) {
                return () -> {
                    throw new IllegalStateException("cannot restore");
                };
            }
        };
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).contextPropagator(broken).build()) {
            assertThat(runtime.spawn(() -> 5).get(10, TimeUnit.SECONDS)).isEqualTo(5);
        }
    }

    @Test
    void theMdcPropagatorCarriesTheSpawnersMdcAndResetsTheWorkersBetweenTasks() throws Exception {
        BasicMDCAdapter mdc = new BasicMDCAdapter();
        MdcPropagator propagator = new MdcPropagator(mdc);
        mdc.put("request", "r-7");
        Map<String, String> captured = propagator.capture();
        mdc.clear();
        assertThat(propagator.capture()).as("an empty MDC is captured as null").isNull();

        // A worker's poll: the task sees the spawner's MDC, may change it, and leaves nothing.
        try (ContextPropagator.Scope poll = propagator.open(captured)) {
            assertThat(mdc.get("request")).isEqualTo("r-7");
            mdc.put("step", "1");
        }
        assertThat(mdc.getCopyOfContextMap()).isNullOrEmpty();
        assertThat(captured).as("the task's puts do not change what it carries").doesNotContainKey("step");

        // A task spawned with no MDC runs with none, even on a thread that has one, and puts it back.
        mdc.put("thread", "own");
        try (ContextPropagator.Scope poll = propagator.open(null)) {
            assertThat(mdc.getCopyOfContextMap()).isNullOrEmpty();
            mdc.put("leak", "no");
        }
        assertThat(mdc.getCopyOfContextMap()).isEqualTo(new HashMap<>(Map.of("thread", "own")));
        assertThat(ContextPropagator.slf4jMdc()).hasToString("ContextPropagator.slf4jMdc()");
    }
}

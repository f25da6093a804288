package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 9 (review9, c9ac779): the thread that takes a worker over from a
 * {@code blockInPlace} caller was made with a plain {@code new Thread} on the task's thread, so it
 * inherited that task's context class loader and inheritable thread-locals and kept them for every
 * later task. Both tests failed on d6874c4.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockInPlaceReplacementThreadTest {

    /** A value a task keeps on its thread (a tenant, a security principal, an MDC-like map). */
    private static final InheritableThreadLocal<String> TENANT = new InheritableThreadLocal<>();

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void theReplacementWorkerDoesNotInheritTheContextClassLoaderOfTheTaskThatCalledBlockInPlace() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("r9ccl").build();
        ClassLoader workersOwn = runtime.spawn(() -> Thread.currentThread().getContextClassLoader())
                .get(10, TimeUnit.SECONDS);
        try (URLClassLoader tasksOwn = new URLClassLoader(new URL[0], null)) {
            runtime.spawn(() -> {
                Thread.currentThread().setContextClassLoader(tasksOwn); // this task's business only
                return AsyncRuntime.blockInPlace(() -> "done");
            }).get(10, TimeUnit.SECONDS);

            // Worker 0 now runs on the replacement thread; the next task must see the worker's loader.
            AtomicReference<String> thread = new AtomicReference<>();
            ClassLoader seen = runtime.spawn(() -> {
                thread.set(Thread.currentThread().getName());
                return Thread.currentThread().getContextClassLoader();
            }).get(10, TimeUnit.SECONDS);
            assertThat(thread.get()).isEqualTo("r9ccl-0");
            assertThat(seen).as("context class loader of a later task on the replacement worker")
                    .isSameAs(workersOwn);
        }
    }

    @Test
    void theReplacementWorkerDoesNotInheritTheInheritableThreadLocalsOfTheTaskThatCalledBlockInPlace()
            throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("r9itl").build();
        runtime.spawn(() -> {
            TENANT.set("tenant-a");
            try {
                return AsyncRuntime.blockInPlace(() -> "done");
            } finally {
                TENANT.remove(); // a well-behaved task cleans up after itself
            }
        }).get(10, TimeUnit.SECONDS);

        String seen = runtime.spawn(() -> TENANT.get()).get(10, TimeUnit.SECONDS);
        assertThat(seen).as("an InheritableThreadLocal of another task, seen by every later task on worker 0")
                .isNull();
    }

    /** review9: a second blockInPlace in one poll threw IllegalStateException (failed on d6874c4). */
    @Test
    void blockInPlaceTwiceInOnePollRunsBothCalls() throws Exception {
        // Tokio's block_in_place may be called again once the worker is handed over (it just runs
        // the closure); a loop of blocking calls inside one poll is the common case.
        runtime = AsyncRuntime.builder().workerThreads(1).build();
        assertThat(runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> 1) + AsyncRuntime.blockInPlace(() -> 2))
                .get(10, TimeUnit.SECONDS)).isEqualTo(3);
    }
}

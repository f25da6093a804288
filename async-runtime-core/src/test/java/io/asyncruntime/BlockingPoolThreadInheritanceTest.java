package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 9 (review9): a blocking-pool thread is created on the thread of whoever spawned
 * the work that started it, and keeps what it inherited from that thread (context class loader,
 * inheritable thread-locals) as its own for every later task. Fails on main at d6874c4.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingPoolThreadInheritanceTest {

    private static final InheritableThreadLocal<String> TENANT = new InheritableThreadLocal<>();

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aPoolThreadStartedByOneTaskDoesNotCarryThatTasksLoaderAndThreadLocalsIntoLaterWork() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1).build();
        ClassLoader appLoader = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader tenantsLoader = new URLClassLoader(new URL[0], null)) {
            // Tenant A's task, with its own loader and thread-local, starts the pool's only thread.
            runtime.spawn(() -> {
                Thread.currentThread().setContextClassLoader(tenantsLoader);
                TENANT.set("tenant-a");
                try {
                    return runtime.spawnBlocking(() -> "a's work").get(10, TimeUnit.SECONDS);
                } finally {
                    TENANT.remove();
                }
            }).get(10, TimeUnit.SECONDS);

            // Later work from the application thread, which has neither, runs on that same thread.
            String tenantSeen = runtime.spawnBlocking(TENANT::get).get(10, TimeUnit.SECONDS);
            ClassLoader loaderSeen = runtime.spawnBlocking(() -> Thread.currentThread().getContextClassLoader())
                    .get(10, TimeUnit.SECONDS);
            assertThat(tenantSeen).as("tenant A's InheritableThreadLocal, seen by later blocking work").isNull();
            assertThat(loaderSeen).as("context class loader of later blocking work").isSameAs(appLoader);
        }
    }
}

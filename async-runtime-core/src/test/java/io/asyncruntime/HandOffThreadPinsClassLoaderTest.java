package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test (issue 15), found by review 15c of F2 (060d281), JDK 17: a {@code CallbackHandOff} thread is created on whichever
 * thread first needs one, in the middle of a delivery, with the user's callback frames on the
 * stack. {@code new Thread} captures the creator's {@code AccessControlContext} (through JDK 23),
 * whose protection domains hold the class loaders of those frames: a web application's (or a
 * plugin's) loader whose callback happened to start the thread stays reachable for as long as the
 * JVM-wide pool keeps that thread (10 s after its last use, indefinitely under steady use by
 * anyone). The JDK's own pools avoid this with innocuous threads / a privileged factory. The control
 * (same loader, callbacks run inline at shallow depth) is collected. Fails on JDK 17.0.15 (the
 * loader is never collected within 5 s), passes on Temurin 25.0.3, where {@code Thread} no longer
 * inherits an access control context: that is what pins it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HandOffThreadPinsClassLoaderTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /**
     * Loaded by a throw-away loader: {@code chains} separate deliveries, each a chain of
     * {@code links} callbacks whose last aborts a leaf handle; the leaf's callback (past
     * {@code MAX_USER_FRAMES} when {@code links} is 8) optionally blocks until every leaf callback
     * started, so each delivery's hand-off lane needs a thread of its own at the same time.
     */
    public static final class Scenario implements BiConsumer<AsyncRuntime, int[]> {
        @Override
        public void accept(AsyncRuntime runtime, int[] shape) {
            int links = shape[0];
            int chains = shape[1];
            boolean blockUntilAllStarted = shape[2] != 0;
            try {
                List<List<JoinHandle<Void>>> all = new ArrayList<>();
                for (int c = 0; c < chains; c++) {
                    List<JoinHandle<Void>> chain = new ArrayList<>();
                    for (int i = 0; i <= links; i++) { // the last one is the leaf
                        chain.add(runtime.spawn(Task.never()));
                    }
                    all.add(chain);
                }
                Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> all.stream().flatMap(List::stream).allMatch(Scenario::isIdle));
                CountDownLatch started = new CountDownLatch(chains);
                CountDownLatch ran = new CountDownLatch(chains);
                for (List<JoinHandle<Void>> chain : all) {
                    chain.get(links).whenComplete((v, e) -> {
                        started.countDown();
                        try {
                            if (blockUntilAllStarted) {
                                started.await(20, TimeUnit.SECONDS); // each lane needs a thread of its own
                            }
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                        }
                        ran.countDown();
                    });
                    for (int i = 0; i < links; i++) {
                        JoinHandle<Void> next = chain.get(i + 1);
                        chain.get(i).whenComplete((v, e) -> next.abort());
                    }
                }
                for (List<JoinHandle<Void>> chain : all) {
                    chain.get(0).abort(); // one delivery per chain, each on this thread
                }
                if (!ran.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("leaf callbacks did not all run");
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        private static boolean isIdle(JoinHandle<?> handle) {
            return handle.toString().contains("idle");
        }
    }

    /** Defines {@link Scenario} itself (child first); everything else comes from the test's loader. */
    private static final class ThrowAwayLoader extends ClassLoader {
        ThrowAwayLoader() {
            super("throw-away", HandOffThreadPinsClassLoaderTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Scenario.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (java.io.IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return loaded;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private WeakReference<ClassLoader> runInThrowAwayLoader(int[] shape) throws Exception {
        ClassLoader loader = new ThrowAwayLoader();
        Class<?> scenario = loader.loadClass(Scenario.class.getName());
        assertThat(scenario.getClassLoader()).isSameAs(loader);
        ((BiConsumer<AsyncRuntime, int[]>) scenario.getDeclaredConstructor().newInstance()).accept(runtime, shape);
        return new WeakReference<>(loader);
    }

    private static boolean collected(WeakReference<ClassLoader> ref) {
        System.gc();
        return ref.get() == null;
    }

    @Test
    void controlAShallowChainLeavesTheLoaderCollectable() throws Exception {
        WeakReference<ClassLoader> ref = runInThrowAwayLoader(new int[] {2, 50, 0});
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> collected(ref));
    }

    @Test
    void aDeepChainThatStartedHandOffThreadsLeavesTheLoaderCollectable() throws Exception {
        // 8 links: the leaf callbacks are past MAX_USER_FRAMES; 50 lanes blocked at once need new
        // threads whatever idle ones earlier tests left, started under the throw-away code's frames.
        WeakReference<ClassLoader> ref = runInThrowAwayLoader(new int[] {8, 50, 1});
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> collected(ref));
    }
}

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
 * Review 15c of F2 (060d281), JDK 17: a {@code CallbackHandOff} thread is created on whichever
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
class HandOffThreadPinsClassLoaderReview15cTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Loaded by a throw-away loader: a chain of {@code links} callbacks, the last aborting {@code fanOut} more. */
    public static final class Scenario implements BiConsumer<AsyncRuntime, int[]> {
        @Override
        public void accept(AsyncRuntime runtime, int[] shape) {
            int links = shape[0];
            int fanOut = shape[1];
            boolean blockUntilAllStarted = shape[2] != 0;
            try {
                List<JoinHandle<Void>> chain = new ArrayList<>();
                for (int i = 0; i < links; i++) {
                    chain.add(runtime.spawn(Task.never()));
                }
                List<JoinHandle<Void>> fan = new ArrayList<>();
                for (int i = 0; i < fanOut; i++) {
                    fan.add(runtime.spawn(Task.never()));
                }
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> chain.stream().allMatch(Scenario::isIdle)
                        && fan.stream().allMatch(Scenario::isIdle));
                CountDownLatch started = new CountDownLatch(fanOut);
                CountDownLatch ran = new CountDownLatch(fanOut);
                for (JoinHandle<Void> h : fan) {
                    h.whenComplete((v, e) -> {
                        started.countDown();
                        try {
                            if (blockUntilAllStarted) {
                                started.await(20, TimeUnit.SECONDS); // each needs a thread of its own
                            }
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                        }
                        ran.countDown();
                    });
                }
                for (int i = 0; i + 1 < links; i++) {
                    JoinHandle<Void> next = chain.get(i + 1);
                    chain.get(i).whenComplete((v, e) -> next.abort());
                }
                chain.get(links - 1).whenComplete((v, e) -> fan.forEach(JoinHandle::abort));
                chain.get(0).abort();
                if (!ran.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("fan-out callbacks did not all run");
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
            super("throw-away", HandOffThreadPinsClassLoaderReview15cTest.class.getClassLoader());
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
        // 8 links: the fan-out callbacks are past MAX_USER_FRAMES; 400 blocked at once need new
        // threads whatever idle ones earlier tests left, started under the throw-away code's frames.
        WeakReference<ClassLoader> ref = runInThrowAwayLoader(new int[] {8, 400, 1});
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> collected(ref));
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 1: a worker whose interrupt flag was left set by a task (or set by a user's
 * thread) must not spin when idle, and the next task must not see the flag; per-task thread state
 * (the interrupt flag, the context class loader) is reset between tasks, as ThreadPoolExecutor and
 * ForkJoinPool do.
 *
 * <p>Idleness is measured as the workers' CPU time (ThreadMXBean) while the runtime waits on a
 * timer: a spinning worker burns a core for the whole wait, a parked one almost nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterruptedWorkerTest {

    /** How long the idle runtime is watched. */
    private static final Duration IDLE_WINDOW = Duration.ofMillis(300);
    /** Far above an idle runtime's parks in the window (a few), far below a spinner's (thousands). */
    private static final long MAX_IDLE_PARKS = 200;

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("interrupt-rt").build();
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void aTaskThatInterruptsItsWorkerDoesNotMakeItSpinWhenIdle() throws Exception {
        List<Thread> workers = workerThreads();
        // The "restore the interrupt" idiom, and a FutureTask cancelled with cancel(true) run inline.
        for (int i = 0; i < 8; i++) {
            runtime.spawn(() -> Thread.currentThread().interrupt()).get(10, TimeUnit.SECONDS);
            runtime.spawn(() -> {
                FutureTask<Void> inline = new FutureTask<>(() -> {
                    Thread.currentThread().interrupt(); // what cancel(true) does to the running thread
                    return null;
                });
                inline.run();
            }).get(10, TimeUnit.SECONDS);
        }
        assertIdleWorkersStayParked(workers);
    }

    @Test
    void aWorkerInterruptedFromOutsideWhileParkedDoesNotSpin() throws Exception {
        List<Thread> workers = workerThreads();
        for (Thread worker : workers) {
            worker.interrupt(); // a user's thread interrupting a parked worker (in the driver or on its parker)
        }
        assertIdleWorkersStayParked(workers);
        assertThat(runtime.spawn(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void theNextTaskDoesNotSeeAnInterruptLeftByThePreviousOne() throws Exception {
        AsyncRuntime single = AsyncRuntime.builder().workerThreads(1).build();
        try {
            for (int i = 0; i < 100; i++) {
                single.spawn(() -> Thread.currentThread().interrupt());
                JoinHandle<Boolean> next = single.spawn(() -> Thread.currentThread().isInterrupted());
                assertThat(next.get(10, TimeUnit.SECONDS)).as("round %d", i).isFalse();
            }
        } finally {
            single.close();
        }
    }

    @Test
    void aTaskThatChangesTheContextClassLoaderDoesNotLeakItToTheNext() throws Exception {
        AsyncRuntime single = AsyncRuntime.builder().workerThreads(1).build();
        try (URLClassLoader foreign = new URLClassLoader(new URL[0], null)) {
            ClassLoader original = single.spawn(() -> Thread.currentThread().getContextClassLoader()).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                single.spawn(() -> Thread.currentThread().setContextClassLoader(foreign));
                ClassLoader seen = single.spawn(() -> Thread.currentThread().getContextClassLoader()).get(10, TimeUnit.SECONDS);
                assertThat(seen).as("round %d", i).isSameAs(original);
            }
        } finally {
            single.close();
        }
    }

    /** Every worker thread of {@link #runtime}, found by running tasks until each one ran some. */
    private List<Thread> workerThreads() throws Exception {
        ConcurrentHashMap<Thread, Boolean> seen = new ConcurrentHashMap<>();
        for (int round = 0; seen.size() < runtime.workerThreads() && round < 10_000; round++) {
            List<JoinHandle<Void>> handles = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                handles.add(runtime.spawn(Task.run(() -> seen.put(Thread.currentThread(), true)).flatMap(v -> Task.yieldNow())));
            }
            for (JoinHandle<Void> h : handles) {
                h.get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(seen).hasSize(runtime.workerThreads());
        return new ArrayList<>(seen.keySet());
    }

    /**
     * While a timer keeps the runtime idle for {@link #IDLE_WINDOW}, the workers park a few times
     * and use almost no CPU.
     */
    private void assertIdleWorkersStayParked(List<Thread> workers) {
        long parksBefore = parks(workers);
        long cpuBefore = cpuNanos(workers);
        long wallBefore = System.nanoTime();
        runtime.blockOn(Time.sleep(IDLE_WINDOW));
        long wall = System.nanoTime() - wallBefore;
        long cpu = cpuNanos(workers) - cpuBefore;
        long parked = parks(workers) - parksBefore;
        // The park count does not depend on how busy the machine is: a worker spinning on an
        // interrupted park parks (and returns at once) thousands of times in whatever CPU it
        // gets, an idle one a handful of times (the timer, a wake or two).
        assertThat(parked).as("worker parks over %d ms idle", TimeUnit.NANOSECONDS.toMillis(wall))
                .isLessThan(MAX_IDLE_PARKS);
        // A spinning worker burns (nearly) a core for the whole window; a parked one wakes a few
        // times. 10% of the window leaves room for a loaded machine and still fails a spinner.
        assertThat(cpu).as("worker CPU time (ns) over %d ms idle", TimeUnit.NANOSECONDS.toMillis(wall))
                .isLessThan(wall / 10);
    }

    /**
     * How often the threads parked so far: the JVM counts every {@code LockSupport.park} in
     * {@code ThreadInfo.getWaitedCount()}, with or without contention monitoring.
     */
    private long parks(List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            ThreadInfo info = mx.getThreadInfo(t.getId());
            sum += info == null ? 0 : info.getWaitedCount();
        }
        return sum;
    }

    private long cpuNanos(List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return sum;
    }
}

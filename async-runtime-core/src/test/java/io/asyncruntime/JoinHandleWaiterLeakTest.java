package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 3: a handle's waiter list must not grow with awaits that were given up. A
 * timed-out {@code get}, and an await inside a {@code race}/{@code select}/{@code timeout} that
 * lost and whose task finished, leave nothing behind, however long the handle itself stays
 * pending. Measured as the heap after GC before and after, with the handle kept reachable to the
 * end (a dead handle would hide the leak). Before the fix 300,000 timed-out gets kept ~14 MiB and
 * 300,000 finished racers ~16 MiB.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JoinHandleWaiterLeakTest {

    private static final int OPERATIONS = 300_000;
    /** Far below the leak (14-16 MiB), far above GC noise. */
    private static final long MAX_GROWTH_BYTES = 3L << 20;

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2)
            .shutdownTimeout(Duration.ofMillis(100)).build(); // close() drains that long; tests leave idle tasks

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void timedOutGetsOnAPendingHandleLeaveNothingRegistered() throws Exception {
        JoinHandle<Void> pending = runtime.spawn(Task.never());
        for (int i = 0; i < 1_000; i++) { // warm up: class loading, JIT
            timedOutGet(pending);
        }
        long before = usedHeapAfterGc();
        for (int i = 0; i < OPERATIONS; i++) {
            timedOutGet(pending);
        }
        long growth = usedHeapAfterGc() - before;
        assertThat(pending.isFinished()).isFalse();
        Reference.reachabilityFence(pending);
        assertThat(growth).as("heap growth after %d timed-out gets (bytes)", OPERATIONS).isLessThan(MAX_GROWTH_BYTES);
    }

    @Test
    void finishedRacersOfALongLivedHandleLeaveNothingRegistered() throws Exception {
        JoinHandle<Void> shutdownSignal = runtime.spawn(Task.never());
        runRacers(shutdownSignal, 3_000); // warm up
        long before = usedHeapAfterGc();
        runRacers(shutdownSignal, OPERATIONS);
        long growth = usedHeapAfterGc() - before;
        assertThat(shutdownSignal.isFinished()).isFalse();
        Reference.reachabilityFence(shutdownSignal);
        assertThat(growth).as("heap growth after %d finished racers (bytes)", OPERATIONS).isLessThan(MAX_GROWTH_BYTES);
    }

    private static void timedOutGet(JoinHandle<Void> pending) {
        // 1 ns: the waiter is registered, then the wait times out (the form that registers).
        assertThatThrownBy(() -> pending.get(1, TimeUnit.NANOSECONDS)).isInstanceOf(TimeoutException.class);
    }

    /**
     * Spawns {@code count} tasks that each await {@code signal} in a race, a select or a timeout
     * and lose (the other branch is ready at once), in batches, and waits until all finished. The
     * racers' handles are not kept: a finished racer must not be kept alive by the signal.
     */
    private void runRacers(JoinHandle<Void> signal, int count) throws InterruptedException {
        int batch = 10_000;
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            CountDownLatch finished = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                Task<?> racer;
                switch (i % 3) {
                    case 0:
                        racer = Task.race(signal.map(v -> 0), Task.completed(1));
                        break;
                    case 1:
                        racer = Task.select(signal, v -> 0, Task.completed(1), v -> v);
                        break;
                    default:
                        racer = Time.timeout(Duration.ZERO, signal).recover(timedOut -> null);
                        break;
                }
                runtime.spawn(racer.map(v -> {
                    finished.countDown();
                    return v;
                }));
            }
            assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static long usedHeapAfterGc() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            min = Math.min(min, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return min;
    }
}

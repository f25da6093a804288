package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RuntimeBuilder#workerStackSize}: the stack a worker's tasks recurse on, also after a
 * {@code blockInPlace} hands the worker to a new thread; and its range.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerStackSizeTest {

    private static final long SMALL = 256 * 1024;
    private static final long LARGE = 4L * 1024 * 1024;

    @Test
    void tasksRecurseDeeperOnALargerWorkerStack() throws Exception {
        int small = deepestRecursion(SMALL, false);
        int large = deepestRecursion(LARGE, false);
        // 16 times the stack: even with frames compiled differently in the two runs the depth
        // grows by far more than 4 times; the JVM's default (1 MiB) lies between the two.
        assertThat(large).as("recursion depth on a 4 MiB worker stack vs a 256 KiB one (%d)", small)
                .isGreaterThan(4 * small);
    }

    @Test
    void theThreadThatTakesAWorkerOverFromBlockInPlaceGetsTheConfiguredStack() throws Exception {
        int small = deepestRecursion(SMALL, true);
        int large = deepestRecursion(LARGE, true);
        assertThat(large).as("recursion depth on the replacement of a 4 MiB worker vs a 256 KiB one (%d)", small)
                .isGreaterThan(4 * small);
    }

    @Test
    void stackSizeOutOfRangeNamesTheArgumentAndRange() {
        assertThatThrownBy(() -> AsyncRuntime.builder().workerStackSize(64 * 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workerStackSize must be 0 (the JVM's default) or between 131072 and 1073741824 bytes "
                        + "(128 KiB to 1 GiB), got 65536");
        assertThatThrownBy(() -> AsyncRuntime.builder().workerStackSize(-1))
                .hasMessageContaining("got -1");
        assertThatThrownBy(() -> AsyncRuntime.builder().workerStackSize(2L * 1024 * 1024 * 1024))
                .hasMessageContaining("got 2147483648");
        AsyncRuntime.builder().workerStackSize(0).workerStackSize(RuntimeBuilder.MIN_WORKER_STACK_SIZE)
                .workerStackSize(RuntimeBuilder.MAX_WORKER_STACK_SIZE);
    }

    /**
     * How deep a task recurses before its stack overflows, on a one-worker runtime with the given
     * stack size; with {@code afterHandOver}, on the thread that took the worker over from a
     * {@code blockInPlace}.
     */
    private static int deepestRecursion(long stackSize, boolean afterHandOver) throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).workerStackSize(stackSize).build()) {
            Thread first = runtime.spawn(() -> Thread.currentThread()).get(10, TimeUnit.SECONDS);
            String workerName = first.getName(); // the first thread is renamed when it hands the worker over
            if (afterHandOver) {
                runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> "handed over")).get(10, TimeUnit.SECONDS);
            }
            return runtime.spawn(() -> {
                assertThat(Thread.currentThread().getName()).isEqualTo(workerName);
                assertThat(Thread.currentThread() != first).as("the worker runs on a replacement thread")
                        .isEqualTo(afterHandOver);
                return depth();
            }).get(30, TimeUnit.SECONDS);
        }
    }

    private static int depth() {
        int[] reached = {0};
        try {
            recurse(reached);
        } catch (StackOverflowError expected) {
            // the depth reached is the measure
        }
        return reached[0];
    }

    private static void recurse(int[] reached) {
        reached[0]++;
        recurse(reached);
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 4: a leaf task that breaks the poll contract (returns {@code null} instead of a
 * {@link Poll}) fails its own handle with a clear error naming the task, and nothing else: the
 * worker, the other tasks, and later aborts and wakes of the broken task are unaffected.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokenPollContractTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Returns null from poll, after remembering its waker (so a test can wake it afterwards). */
    private static final class ReturnsNull implements Task<String> {
        final AtomicReference<Waker> waker = new AtomicReference<>();
        final AtomicInteger polls = new AtomicInteger();

        @Override
        public Poll<String> poll(Context cx) {
            polls.incrementAndGet();
            waker.set(cx.waker());
            return null;
        }
    }

    @Test
    void aPollThatReturnsNullFailsItsOwnHandleWithAClearError() throws Exception {
        ReturnsNull broken = new ReturnsNull();
        JoinHandle<String> handle = runtime.spawn(broken, Priority.NORMAL, "broken-leaf");
        assertThatThrownBy(() -> handle.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("poll returned null")
                .hasMessageContaining("broken-leaf");
        assertThat(handle.isFinished()).isTrue();
        assertThat(handle.isCancelled()).isFalse();
    }

    @Test
    void aPollThatReturnsNullLeavesTheWorkerAndOtherTasksUnaffected() throws Exception {
        List<JoinHandle<Integer>> before = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            before.add(runtime.spawn(Task.yieldNow().map(v -> n)));
        }
        ReturnsNull broken = new ReturnsNull();
        JoinHandle<String> handle = runtime.spawn(broken);
        List<JoinHandle<Integer>> after = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            after.add(runtime.spawn(Task.yieldNow().map(v -> n)));
        }
        for (int i = 0; i < 50; i++) {
            assertThat(before.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            assertThat(after.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThatThrownBy(() -> handle.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

        // Aborting and waking the broken task afterwards is harmless: no second poll, no error.
        handle.abort();
        broken.waker.get().wake();
        assertThat(runtime.spawn(() -> 1).get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(broken.polls.get()).isEqualTo(1);
        assertThat(handle.isCancelled()).isFalse();
        assertThat(runtime.metrics().aliveTasks()).isZero();
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15 R3/R4 (3be50f0): {@code TaskCell.ownerOf} attributes a registration made with
 * a waker that is neither a task cell nor a thread waker to whatever this thread is polling (a
 * worker's task, or the {@code blockOn} in progress). A caller that polls a handle with a
 * {@link Context} of its own (an adapter to another async library, which re-polls from its waker)
 * is not that task: once the task it happened to be called from finishes, {@code Waiters.wakeEach}
 * skips the node as obsolete and the adapter's waker is never woken. Before 3be50f0 it was.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForeignContextWakeDroppedTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** A context that belongs to no task: its waker counts a latch down. */
    private static Context foreignContext(CountDownLatch woken) {
        return ForeignContext.withWaker(woken::countDown);
    }

    @Test
    void aForeignWakerRegisteredFromInsideATaskIsWokenAfterThatTaskFinished() throws Exception {
        CompletableFuture<String> release = new CompletableFuture<>();
        JoinHandle<String> awaited = runtime.spawn(Task.fromCompletionStage(release));
        CountDownLatch woken = new CountDownLatch(1);

        // A task that hands the handle to an adapter which polls it with its own context, then ends.
        JoinHandle<Boolean> bystander = runtime.spawn(Task.call(() -> awaited.poll(foreignContext(woken)).isReady()));
        assertThat(bystander.get(10, TimeUnit.SECONDS)).isFalse();

        release.complete("done");
        assertThat(awaited.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(woken.await(5, TimeUnit.SECONDS))
                .as("the adapter's waker, registered while a task that has since finished was being polled, was woken")
                .isTrue();
    }

    @Test
    void aForeignWakerRegisteredFromInsideBlockOnIsWokenAfterBlockOnReturned() throws Exception {
        CompletableFuture<String> release = new CompletableFuture<>();
        JoinHandle<String> awaited = runtime.spawn(Task.fromCompletionStage(release));
        CountDownLatch woken = new CountDownLatch(1);

        boolean ready = runtime.blockOn(Task.call(() -> awaited.poll(foreignContext(woken)).isReady()));
        assertThat(ready).isFalse();

        release.complete("done");
        assertThat(awaited.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(woken.await(5, TimeUnit.SECONDS))
                .as("the adapter's waker, registered inside a blockOn that has since returned, was woken")
                .isTrue();
    }
}

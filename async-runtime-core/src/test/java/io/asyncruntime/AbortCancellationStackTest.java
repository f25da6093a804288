package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime's own cancellations are made without a stack walk (aborting an idle task is
 * otherwise mostly {@code fillInStackTrace}, and a shutdown aborts every task left on one thread),
 * while a caller of {@code get} still gets a stack that shows where it waited, and an exception a
 * user makes keeps its trace.
 */
class AbortCancellationStackTest {

    @Test
    void anAbortedTasksStoredCancellationHasNoStackAndGetThrowsOneWithTheCallersStack() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            CountDownLatch polled = new CountDownLatch(1);
            JoinHandle<Object> idle = runtime.spawn(Task.run(polled::countDown).flatMap(v -> Task.never()));
            polled.await();
            idle.abort();

            TaskCancelledException thrown = catchThrowableOfType(TaskCancelledException.class,
                    () -> idle.get(10, TimeUnit.SECONDS));
            assertThat(thrown.getStackTrace()).as("the get caller's stack")
                    .anySatisfy(frame -> assertThat(frame.getClassName()).isEqualTo(getClass().getName()));
            assertThat(thrown.getCause()).isInstanceOf(TaskCancelledException.class)
                    .hasMessage(thrown.getMessage());
            assertThat(thrown.getCause().getStackTrace()).as("the stored, runtime-made cancellation").isEmpty();
            assertThat(thrown.getMessage()).as("names the task and why").startsWith("task ").contains(" was ");

            // The CompletionStage side sees the stored one (CompletableFuture reports it as is).
            Throwable viaStage = catchThrowableOfType(CompletionException.class,
                    () -> idle.toCompletableFuture().thenApply(v -> v).join());
            assertThat(viaStage).hasCauseInstanceOf(TaskCancelledException.class);
        }
    }

    @Test
    void aCancellationAUserMakesKeepsItsStackTrace() {
        TaskCancelledException made = new TaskCancelledException("made by a user");
        assertThat(made.getStackTrace()).isNotEmpty();
        assertThat(made.getStackTrace()[0].getMethodName()).isEqualTo("aCancellationAUserMakesKeepsItsStackTrace");
        assertThat(TaskCancelledException.withoutStackTrace("made by the runtime").getStackTrace()).isEmpty();
    }
}

package io.asyncruntime.spring.autoconfigure.task;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.support.TaskUtils;

/**
 * An {@link AsyncTaskExecutor} that runs each task on an {@link AsyncRuntime}: what
 * {@code @Async} methods, Spring MVC's asynchronous requests and anything else handed the
 * {@code applicationTaskExecutor} run on once task integration is on.
 *
 * <p>Each task runs on the runtime's blocking pool ({@link AsyncRuntime#trySpawnBlocking}): an
 * {@code @Async} method or a controller's {@code Callable} is ordinary blocking Java, which must
 * never hold a worker. When the pool is full (every thread busy at its cap, its queue full) the
 * task is rejected with {@link TaskRejectedException}, as Spring's bounded executors do. A
 * {@link TaskDecorator}
 * (Boot's and Spring's hook for context propagation, such as
 * {@code ContextPropagatingTaskDecorator}) wraps each task when it is submitted, on the
 * submitting thread. A failure of a task given to {@link #execute} is logged, since nobody else
 * sees it; {@link #submit} hands it to the returned future instead. Cancelling a returned future
 * aborts the task: it never starts if it was still queued, and no thread is interrupted.
 *
 * <p>Once the runtime is shut down, every method throws {@link TaskRejectedException}.
 */
public final class AsyncRuntimeTaskExecutor implements AsyncTaskExecutor {

    private final AsyncRuntime runtime;

    private final @Nullable TaskDecorator taskDecorator;

    /**
     * Creates an executor.
     * @param runtime the runtime to run tasks on; not null
     * @param taskDecorator wraps each task when it is submitted; null for none
     */
    public AsyncRuntimeTaskExecutor(AsyncRuntime runtime, @Nullable TaskDecorator taskDecorator) {
        this.runtime = runtime;
        this.taskDecorator = taskDecorator;
    }

    /**
     * Runs {@code task} on the runtime's blocking pool; a failure is logged.
     * @param task the task; not null
     * @throws TaskRejectedException if the runtime is shut down or its blocking pool is full
     */
    @Override
    public void execute(Runnable task) {
        spawn(TaskUtils.decorateTaskWithErrorHandler(decorate(task), null, false));
    }

    /**
     * Runs {@code task} on the runtime.
     * @param task the task; not null
     * @return a future that completes when the task has run; cancelling it aborts the task
     * @throws TaskRejectedException if the runtime is shut down or its blocking pool is full
     */
    @Override
    public Future<?> submit(Runnable task) {
        return submitCompletable(task);
    }

    /**
     * Runs {@code task} on the runtime.
     * @param task the task; not null
     * @return a future with the task's value or failure; cancelling it aborts the task
     * @throws TaskRejectedException if the runtime is shut down or its blocking pool is full
     */
    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return submitCompletable(task);
    }

    /**
     * Runs {@code task} on the runtime.
     * @param task the task; not null
     * @return a future that completes when the task has run; cancelling it aborts the task
     * @throws TaskRejectedException if the runtime is shut down or its blocking pool is full
     */
    @Override
    public CompletableFuture<Void> submitCompletable(Runnable task) {
        return submitCompletable(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Runs {@code task} on the runtime.
     * @param task the task; not null
     * @return a future with the task's value or failure; cancelling it aborts the task
     * @throws TaskRejectedException if the runtime is shut down or its blocking pool is full
     */
    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        AbortingFuture<T> future = new AbortingFuture<>();
        JoinHandle<Void> handle = spawn(decorate(() -> {
            try {
                future.complete(task.call());
            }
            catch (Throwable ex) {
                future.completeExceptionally(ex);
            }
        }));
        future.handle = handle;
        // A task the runtime cancels before it ran (shut down with the task still queued) never
        // completes the future itself: its handle does.
        handle.whenComplete((ignored, failure) -> {
            if (failure != null) {
                future.completeExceptionally(failure);
            }
        });
        return future;
    }

    /**
     * The runtime tasks run on.
     * @return the runtime; never null
     */
    public AsyncRuntime getRuntime() {
        return this.runtime;
    }

    private Runnable decorate(Runnable task) {
        return (this.taskDecorator != null) ? this.taskDecorator.decorate(task) : task;
    }

    private JoinHandle<Void> spawn(Runnable task) {
        try {
            return this.runtime.trySpawnBlocking(() -> {
                task.run();
                return null;
            });
        }
        catch (IllegalStateException | RejectedExecutionException ex) {
            throw new TaskRejectedException("Async runtime " + this.runtime + " did not accept task " + task + ": "
                    + ex.getMessage(), ex);
        }
    }

    /** A future whose cancellation aborts the runtime task that would complete it. */
    private static final class AbortingFuture<T> extends CompletableFuture<T> {

        private volatile JoinHandle<Void> handle;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            JoinHandle<Void> spawned = this.handle;
            if (cancelled && spawned != null) {
                spawned.abort();
            }
            return cancelled;
        }

    }

}

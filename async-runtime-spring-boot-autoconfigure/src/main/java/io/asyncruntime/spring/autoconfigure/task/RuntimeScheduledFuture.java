package io.asyncruntime.spring.autoconfigure.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.asyncruntime.task.JoinHandle;

/**
 * The {@link ScheduledFuture} of a task scheduled by {@link AsyncRuntimeTaskScheduler}: a view of
 * the runtime task that waits on the timing wheel and runs it. Cancelling aborts that task, which
 * releases its timer at once.
 */
final class RuntimeScheduledFuture implements ScheduledFuture<Object> {

    private final Clock clock;

    private volatile JoinHandle<Void> handle;

    /** When the task runs next; written by the scheduling task before each wait. */
    private volatile Instant nextExecution;

    RuntimeScheduledFuture(Clock clock, Instant firstExecution) {
        this.clock = clock;
        this.nextExecution = firstExecution;
    }

    void start(JoinHandle<Void> handle) {
        this.handle = handle;
    }

    void nextExecution(Instant next) {
        this.nextExecution = next;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        Duration delay = Duration.between(this.clock.instant(), this.nextExecution);
        return unit.convert(delay);
    }

    @Override
    public int compareTo(Delayed other) {
        return (this == other) ? 0 : Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return this.handle.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        return this.handle.isCancelled();
    }

    @Override
    public boolean isDone() {
        return this.handle.isDone();
    }

    @Override
    public Object get() throws InterruptedException, ExecutionException {
        return this.handle.get();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return this.handle.get(timeout, unit);
    }

}

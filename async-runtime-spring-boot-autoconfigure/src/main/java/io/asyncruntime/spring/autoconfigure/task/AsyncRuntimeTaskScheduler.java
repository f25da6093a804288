package io.asyncruntime.spring.autoconfigure.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.CancellationToken;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Interval;
import io.asyncruntime.time.MissedTickBehavior;
import io.asyncruntime.time.Time;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.support.SimpleTriggerContext;
import org.springframework.scheduling.support.TaskUtils;
import org.springframework.util.ErrorHandler;

/**
 * A {@link TaskScheduler} whose timers are the runtime's own: each scheduled task is one runtime
 * task that waits on the timing wheel ({@link Time#sleepUntil}, {@link Time#intervalAt}) and then
 * runs the {@code Runnable} on the runtime's blocking pool ({@link AsyncRuntime#spawnBlocking}:
 * a {@code @Scheduled} method is ordinary blocking Java, which must never hold a worker), waiting
 * for it before the next run. No thread waits for a timer, and a cancelled schedule releases its
 * timer at once. This is what {@code @Scheduled} methods run on once task integration is on.
 *
 * <p>Semantics follow Spring's {@code ThreadPoolTaskScheduler}: fixed-rate schedules catch up on
 * missed runs one after the other and never run concurrently; fixed-delay schedules wait the delay
 * after each run ends; a {@link Trigger} is asked for each next time with what happened so far. A
 * repeating task's failure is handed to the {@link ErrorHandler} (by default logged) and the
 * schedule goes on; a one-shot task's failure is logged and completes its future. The
 * {@link TaskDecorator} wraps each task once, when it is scheduled, as Spring's schedulers do.
 *
 * <p><b>Shutdown.</b> A schedule ends, without running again, when the runtime's
 * {@linkplain AsyncRuntime#cancellationToken() root cancellation token} is cancelled, which a
 * graceful shutdown does first: a run in progress finishes, but no schedule keeps the shutdown
 * waiting for its next time (as Spring's schedulers drop their delayed tasks on shutdown). Its
 * future then completes normally.
 *
 * <p>Times are read from the runtime's clock, so a runtime on a paused test clock runs its
 * schedules in virtual time.
 */
public final class AsyncRuntimeTaskScheduler implements TaskScheduler {

    private final AsyncRuntime runtime;

    private final @Nullable TaskDecorator taskDecorator;

    private final @Nullable ErrorHandler errorHandler;

    private final Clock clock;

    /** Cancelled when the runtime begins shutting down: every schedule stops waiting then. */
    private final CancellationToken shutdown;

    /**
     * Creates a scheduler.
     * @param runtime the runtime whose timers and workers run the tasks; not null, running
     * @param taskDecorator wraps each task when it is scheduled; null for none
     * @param errorHandler handles a task's failure; null to log it (and, for a one-shot task, to
     * complete its future with it)
     */
    public AsyncRuntimeTaskScheduler(AsyncRuntime runtime, @Nullable TaskDecorator taskDecorator,
            @Nullable ErrorHandler errorHandler) {
        this.runtime = runtime;
        this.taskDecorator = taskDecorator;
        this.errorHandler = errorHandler;
        this.clock = RuntimeClock.of(runtime);
        this.shutdown = runtime.cancellationToken();
    }

    /**
     * The runtime's clock, as a {@link Clock} in the system time zone.
     * @return the clock triggers compute their times with; never null
     */
    @Override
    public Clock getClock() {
        return this.clock;
    }

    @Override
    public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        Runnable run = prepare(task, true);
        SimpleTriggerContext context = new SimpleTriggerContext(this.clock);
        Instant first = trigger.nextExecution(context);
        if (first == null) {
            return null;
        }
        RuntimeScheduledFuture future = new RuntimeScheduledFuture(this.clock, first);
        Task<Void> loop = Task.loop(first, (scheduled) -> untilShutdown(Time.sleepUntil(scheduled)).flatMap((due) -> {
            if (!due) {
                return Task.completed(Step.<Instant, Void>done(null));
            }
            Instant actual = this.clock.instant();
            return blocking(run).map((ran) -> {
                context.update(scheduled, actual, this.clock.instant());
                Instant next = trigger.nextExecution(context);
                if (next == null) {
                    return Step.<Instant, Void>done(null);
                }
                future.nextExecution(next);
                return Step.<Instant, Void>next(next);
            });
        }));
        return start(future, loop);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        Runnable run = prepare(task, false);
        RuntimeScheduledFuture future = new RuntimeScheduledFuture(this.clock, startTime);
        return start(future, untilShutdown(Time.sleepUntil(startTime))
            .flatMap((due) -> due ? blocking(run) : Task.<Void>completed(null)));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        Runnable run = prepare(task, true);
        RuntimeScheduledFuture future = new RuntimeScheduledFuture(this.clock, startTime);
        // One interval for the whole schedule, owned by the one runtime task that polls it.
        Interval ticks = Time.intervalAt(startTime, period).missedTickBehavior(MissedTickBehavior.BURST);
        Task<Void> schedule = Task.loop(null, (ignored) -> Task.select(this.shutdown.cancelled(),
                (stop) -> (Instant) null, ticks.tick(), (tick) -> tick).flatMap((tick) -> {
                    if (tick == null) {
                        return Task.completed(Step.<Object, Void>done(null));
                    }
                    future.nextExecution(tick.plus(period));
                    return blocking(run).map((ran) -> Step.<Object, Void>next(null));
                }));
        return start(future, schedule);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        return scheduleAtFixedRate(task, this.clock.instant(), period);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        Runnable run = prepare(task, true);
        RuntimeScheduledFuture future = new RuntimeScheduledFuture(this.clock, startTime);
        Function<Object, Task<Step<Object, Void>>> runThenWait = (ignored) -> blocking(run).flatMap((ran) -> {
            future.nextExecution(this.clock.instant().plus(delay));
            return untilShutdown(Time.sleep(delay))
                .map((due) -> due ? Step.<Object, Void>next(null) : Step.<Object, Void>done(null));
        });
        return start(future, untilShutdown(Time.sleepUntil(startTime))
            .flatMap((due) -> due ? Task.loop(null, runThenWait) : Task.<Void>completed(null)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        return scheduleWithFixedDelay(task, this.clock.instant(), delay);
    }

    /**
     * The runtime tasks run on.
     * @return the runtime; never null
     */
    public AsyncRuntime getRuntime() {
        return this.runtime;
    }

    private Runnable prepare(Runnable task, boolean repeating) {
        Runnable decorated = (this.taskDecorator != null) ? this.taskDecorator.decorate(task) : task;
        return TaskUtils.decorateTaskWithErrorHandler(decorated, this.errorHandler, repeating);
    }

    /**
     * Waits for {@code wait} unless the runtime begins shutting down first.
     * @return a task that completes with true when {@code wait} did, false when shutdown began
     * (and {@code wait} is then cancelled, releasing its timer)
     */
    private Task<Boolean> untilShutdown(Task<?> wait) {
        return Task.select(this.shutdown.cancelled(), (stop) -> false, wait, (due) -> true);
    }

    /** Runs {@code run} on the blocking pool; the returned task completes when it has run. */
    private Task<Void> blocking(Runnable run) {
        return this.runtime.spawnBlocking(() -> {
            run.run();
            return null;
        });
    }

    private ScheduledFuture<?> start(RuntimeScheduledFuture future, Task<Void> schedule) {
        JoinHandle<Void> handle;
        try {
            handle = this.runtime.spawn(schedule);
        }
        catch (IllegalStateException ex) {
            throw new TaskRejectedException("Async runtime " + this.runtime + " did not accept a scheduled task", ex);
        }
        future.start(handle);
        return future;
    }

}

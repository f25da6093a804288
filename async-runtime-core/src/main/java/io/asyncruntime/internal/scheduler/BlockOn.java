package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one task to completion on the calling (non-worker) thread: the bridge from plain
 * blocking code into the runtime. The task is polled here; tasks it spawns run on the workers;
 * between polls the thread parks until the task's waker fires.
 */
public final class BlockOn implements Context {

    /**
     * The waker of the {@code blockOn} running on this thread, if any: it owns what the root task
     * registers on handles (see {@code Waiters}), so those registrations are dropped once the
     * {@code blockOn} ended. Set once per call, not per poll.
     */
    private static final ThreadLocal<Waiters.ThreadWaker> CURRENT = new ThreadLocal<>();

    private final Waiters.ThreadWaker waker = new Waiters.ThreadWaker();
    private int budget;
    private boolean yieldRequested;

    private BlockOn() {
    }

    /**
     * Runs {@code task} to completion on the calling thread, with {@code scheduler}'s workers
     * running what it spawns, and returns its value; rethrows its failure (checked exceptions
     * wrapped in {@link CompletionException}). Interrupting the thread cancels the task and throws
     * {@link TaskCancelledException} with the interrupt flag kept set. So does the scheduler
     * shutting down meanwhile (its workers will run nothing more for the task): the task is
     * cancelled and a {@link TaskCancelledException} says the runtime closed.
     *
     * @throws IllegalStateException if the scheduler is already shut down
     */
    public static <T> T run(Task<T> task, Scheduler scheduler) {
        BlockOn blockOn = new BlockOn();
        if (!scheduler.shutdownSide().enterBlockOn(blockOn.waker)) {
            IllegalStateException closed =
                    new IllegalStateException("this async-runtime is closed: blockOn cannot run a task on it");
            try {
                task.cancel(); // never polled: releases only what wrapping it took (an auto-advance inhibition)
            } catch (Throwable cancelFailed) {
                closed.addSuppressed(cancelFailed); // as in cancelled(): the reason blockOn ended comes first
            }
            throw closed;
        }
        Waiters.ThreadWaker outer = CURRENT.get();
        CURRENT.set(blockOn.waker);
        try {
            return blockOn.drive(task, scheduler);
        } finally {
            scheduler.shutdownSide().exitBlockOn(blockOn.waker);
            blockOn.waker.abandon();
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** The waker of the {@code blockOn} running on the calling thread, or null. */
    static Waiters.ThreadWaker currentWaker() {
        return CURRENT.get();
    }

    private <T> T drive(Task<T> task, Scheduler scheduler) {
        for (;;) {
            // Before every poll, so after every wake: the shutdown wakes every blockOn in progress
            // (SchedulerShutdown.enterBlockOn), the time driver's shutdown the owners of the timers it
            // drops. The runtime runs nothing more for the task, so it ends here, cancelled.
            if (scheduler.isClosed()) {
                throw cancelled(task, "blockOn's runtime was closed while it waited; its task was cancelled");
            }
            budget = Worker.BUDGET_PER_POLL;
            yieldRequested = false;
            Poll<T> result;
            try {
                result = task.poll(this);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
            if (result.isReady()) {
                return result.value();
            }
            // Also without a park: a task that yields or wakes itself is re-polled at once, and an
            // interrupt seen only after a park would never end it. The flag stays set.
            if (Thread.currentThread().isInterrupted()) {
                throw cancelled(task, "blockOn was interrupted; its task was cancelled");
            }
            if (yieldRequested) {
                Thread.yield();
                continue;
            }
            while (!waker.consumeWake()) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    // Restored before the cancel, so a cancel() that throws cannot lose it.
                    Thread.currentThread().interrupt();
                    throw cancelled(task, "blockOn was interrupted; its task was cancelled");
                }
            }
        }
    }

    /**
     * Cancels {@code task} and returns the {@link TaskCancelledException} for the caller to throw.
     * A {@code cancel()} that throws is a bug of the task, not a reason to lose why blockOn ended:
     * its failure is attached as suppressed and the cancellation is thrown all the same.
     */
    private static TaskCancelledException cancelled(Task<?> task, String message) {
        TaskCancelledException cancelled = new TaskCancelledException(message);
        try {
            task.cancel();
        } catch (Throwable cancelFailed) {
            cancelled.addSuppressed(cancelFailed);
        }
        return cancelled;
    }

    @Override
    public Waker waker() {
        return waker;
    }

    @Override
    public boolean consumeBudget() {
        if (budget > 0) {
            budget--;
            return true;
        }
        yieldRequested = true;
        return false;
    }

    @Override
    public void requestYield() {
        yieldRequested = true;
    }
}

package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown side of a {@link Scheduler}: once its flag is set ({@link Scheduler#shutdown}),
 * wakes the {@code blockOn} calls in progress, unparks and joins the workers up to a timeout,
 * cancels what the inject queues and the workers left behind (stuck in one poll) still hold
 * queued, and shuts the driver down; then, for a graceful shutdown's report, waits until every
 * completion the registry counted is published.
 *
 * <p>The flag itself stays in {@link Scheduler}: the spawn and wake paths read it. Every handle
 * this can reach completes: queued tasks are cancelled (by the workers as they stop, by the
 * closer, and by any thread that queues after the flag: a wake, a requeue, or a spawn that raced
 * it); tasks waiting on a timer are woken by the time driver's shutdown, and so cancelled; a
 * {@code blockOn} in progress is woken and ends with a cancellation. The driver is shut down by
 * whichever thread holds it once the flag is set, and is never let go after that, so no worker
 * parks in a shut driver and no two threads touch it.
 *
 * <p><b>Counted is not yet done.</b> A cell counts its completion in the registry before it
 * publishes COMPLETE ({@link CellScheduler#unregister}: whoever sees the handle done sees it
 * counted), so the counts can say "no task live" while a thread is between the two and a handle
 * is not done yet. A wait on the counts alone (the registry's {@code awaitEmpty}, a graceful
 * shutdown's wait for left-behind workers) can end in that window: close() returned with a handle
 * not done (reg10g saw it once, {@code YieldPathTest}, a worker that outlived the stop allowance
 * on a loaded box). {@link #awaitCompletionsPublished} closes it for whoever reports the counts:
 * <em>invariant: when it returns, every completion in the counts it returns is published, so
 * every task the counts call finished has a done handle; only tasks the counts call live (stuck in
 * a poll, or not reached by an abort whose {@code cancel()} blocks) may not</em>, unless tasks kept
 * completing for 100 ms or a thread stayed in the window past the deadline (both logged).
 * It reads the cells' own state, so it holds whoever completed them: a worker, a left-behind
 * worker, a {@code blockInPlace} thread, the abort's thread. Joining the left-behind workers
 * instead would cover only the first two.
 */
final class SchedulerShutdown {

    /** The scheduler's category: the warnings users configured their logging for. */
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** Tries at stealing from a stuck worker's ring that its owner holds at that moment. */
    private static final int STUCK_RING_RETRIES = 1_000;
    /**
     * How long {@link #awaitCompletionsPublished} parks between two looks. The window it waits out
     * is a few instructions long (no user code runs in it), so a thread found in it was descheduled
     * there: the OS runs it again within its time slice, a few milliseconds on a loaded box.
     */
    private static final long PUBLICATION_RECHECK_NANOS = 1_000_000;
    /**
     * How long {@link #awaitCompletionsPublished} waits for counts that keep moving (see there):
     * as long as a graceful shutdown gives workers to stop once its deadline has passed.
     */
    private static final long MOVING_COUNTS_NANOS = 100_000_000;

    private final Scheduler scheduler;
    private final Worker[] workers;
    private final Driver driver;
    /** The wakers of the {@code blockOn} calls in progress: woken at shutdown so that they end. */
    private final Set<Waker> blockedCallers = ConcurrentHashMap.newKeySet();

    SchedulerShutdown(Scheduler scheduler, Worker[] workers, Driver driver) {
        this.scheduler = scheduler;
        this.workers = workers;
        this.driver = driver;
    }

    /**
     * The steps of {@link Scheduler#shutdown} after its flag is set: wakes every {@code blockOn}
     * and every worker, joins the worker threads up to {@code timeout} (a worker stuck inside one
     * poll is left behind and reported), cancels what is still queued, shuts the driver down.
     * Called from a worker, it stops the others and returns without joining itself.
     */
    void stop(Duration timeout) {
        for (Waker caller : blockedCallers) {
            caller.wake(); // its blockOn sees the flag and ends (BlockOn)
        }
        for (Worker worker : workers) {
            worker.parker.unpark();
        }
        driver.unpark();
        long deadline = System.nanoTime() + timeout.toNanos();
        Thread self = Thread.currentThread();
        List<Worker> stuck = new ArrayList<>();
        for (Worker worker : workers) {
            Thread thread = worker.thread;
            try {
                // A blockInPlace may hand the worker to a new thread meanwhile: join that one too.
                while (thread != self) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        thread.join(Math.max(1, left / 1_000_000));
                    }
                    Thread now = worker.thread;
                    if (now == thread || left <= 0) {
                        break;
                    }
                    thread = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (thread != self && thread.isAlive()) {
                log.warn("async-runtime worker {} did not stop within {}: a task is stuck in one poll", thread.getName(), timeout);
                stuck.add(worker);
            }
        }
        cancelInjected();
        for (Worker worker : stuck) {
            cancelQueuedOfStuckWorker(worker);
        }
        shutDownDriverIfFree();
    }

    /** Cancels every task in the inject queues; see {@link InjectQueue#drainForShutdown}. */
    void cancelInjected() {
        cancelInjected(CompletionCascade::cancelAfterShutdown);
    }

    /** As {@link #cancelInjected()}, each task cancelled by {@code cancel} (a stopping worker's, see PollContext). */
    void cancelInjected(java.util.function.Consumer<ScheduledTask> cancel) {
        for (InjectQueue queue : scheduler.injectQueues()) {
            queue.drainForShutdown(cancel);
        }
    }

    /**
     * Cancels what a worker stuck in one poll still holds queued (its LIFO slot, where a task's
     * own spawns and wakes go, and its rings), from the shutdown's thread: the worker cancels its
     * queues only once that poll returns, maybe never, and a handle must not wait on it. The slot
     * is taken with the exchange a thief of a stalled worker uses, the rings are stolen from as a
     * thief does (both safe against the owner's own pushes and pops), into a ring this call owns.
     */
    private void cancelQueuedOfStuckWorker(Worker worker) {
        ScheduledTask inSlot = worker.stealLifoSlot();
        if (inSlot != null) {
            CompletionCascade.cancelAfterShutdown(inSlot);
        }
        LocalQueue taken = new LocalQueue();
        for (LocalQueue ring : worker.local) {
            int misses = 0;
            while (!ring.isEmpty()) {
                ScheduledTask task = ring.stealInto(taken);
                if (task == null) {
                    // Held for a moment by its owner (a pop or an overflow whose poll just returned,
                    // and then that worker cancels the rest itself): back off a little, then leave it.
                    if (++misses > STUCK_RING_RETRIES) {
                        break;
                    }
                    Thread.onSpinWait();
                    continue;
                }
                CompletionCascade.cancelAfterShutdown(task);
                for (ScheduledTask t = taken.pop(); t != null; t = taken.pop()) {
                    CompletionCascade.cancelAfterShutdown(t);
                }
            }
        }
        cancelInjected(); // an overflow of that worker's ring may have gone there meanwhile
    }

    /**
     * Takes the driver for good and shuts it down (its timers wake their tasks, which are then
     * cancelled), unless another thread holds it: that thread does it when it lets go (see
     * {@code SharedDriver.releaseDriver}). Both sides write one volatile, then read the other's (the
     * flag, {@code driverHeld}), so one of them gets it; the CAS lets only one of them in, once,
     * since the driver is never released after.
     */
    void shutDownDriverIfFree() {
        if (scheduler.sharedDriver().tryHoldDriver()) {
            driver.shutdown();
        }
    }

    /**
     * Registers the waker of a {@code blockOn} starting on the calling thread, to be woken at
     * shutdown; false (and nothing registered) if the scheduler is already shut down. Volatile
     * on both sides (add, then read the flag; the flag, then the set), so a caller registering
     * while {@link Scheduler#shutdown} runs is either woken or sees the flag.
     */
    boolean enterBlockOn(Waker caller) {
        blockedCallers.add(caller);
        if (scheduler.isClosed()) {
            blockedCallers.remove(caller);
            return false;
        }
        return true;
    }

    /** The {@code blockOn} of {@code caller} ended. */
    void exitBlockOn(Waker caller) {
        blockedCallers.remove(caller);
    }

    // ---- counted, then published (see the class comment) ----------------------------------------

    /**
     * Waits until every completion the registry has counted is published (its cell COMPLETE, its
     * handle done), or {@code deadlineNanos} ({@link System#nanoTime()} based) passes; returns
     * the registry's {@link TaskRegistry#counts() counts} of a look at which that held, else of
     * the last look. A poll stuck forever delays nothing: its task is neither counted nor
     * published, which the check allows. Parks with the registry as its blocker between looks.
     * Call after {@code refuseAll} (no spawn is accepted after it: one that read the refusal just
     * before may still be counted, TaskShard "Rejection", and so may a spawn be counted and not yet
     * pushed; either needs its spawner descheduled in a window of a few instructions, and a look
     * that misses such a cell can offset one counted completion not yet published, review34's
     * note), from the shutdown's thread; an interrupt does not end the wait (the flag is set
     * again after).
     *
     * <p>One look: the counts, the cells not COMPLETE, the counts again. If neither count moved,
     * the set of counted tasks was fixed during the walk and no cell joined; every uncounted cell
     * is not COMPLETE (a cell counts before it publishes) and is linked (cells leave only after
     * COMPLETE), or is a worker's cell that never returned pending ({@link LazyLink}), found where
     * it waits or in its poll, so the walk saw all {@code spawned - completed} of them unfinished
     * (but for the dump's races, see {@link #unfinishedCells}). Seeing no more than that, it saw
     * no counted cell unfinished: each was COMPLETE, or swept (so COMPLETE). A counted unlinked
     * cell is seen until its COMPLETE as the last cell its worker's poll context left (review26
     * F2, {@link PollContext}, "The last cell left stays visible").
     *
     * <p>While the counts keep moving no look can tell: tasks are still completing, on a thread
     * the shutdown stopped waiting for (an abort walk that resumed after a blocked
     * {@code cancel()}, a worker that kept cancelling past its allowance), whose handles complete
     * after the shutdown returns anyway. So moving counts are waited for {@link #MOVING_COUNTS_NANOS}
     * at most, and the deadline is for a thread caught in the window with the counts still.
     */
    long[] awaitCompletionsPublished(long deadlineNanos) {
        TaskRegistry registry = scheduler.registry();
        boolean interrupted = Thread.interrupted();
        long movingSince = 0;
        boolean moving = false;
        try {
            for (;;) {
                long[] before = registry.counts();
                long unfinished = unfinishedCells(registry);
                long[] after = registry.counts();
                boolean still = before[0] == after[0] && before[1] == after[1];
                long unpublished = unfinished - (after[0] - after[1]);
                if (still && unpublished <= 0) {
                    return after;
                }
                long now = System.nanoTime();
                if (still) {
                    moving = false;
                } else if (!moving) {
                    moving = true;
                    movingSince = now;
                } else if (now - movingSince >= MOVING_COUNTS_NANOS) {
                    log.debug("async-runtime shutdown: tasks still completing after the workers stopped; the report"
                            + " counts them as of now");
                    return after;
                }
                if (now - deadlineNanos >= 0) {
                    if (still) {
                        log.warn("async-runtime shutdown: {} counted completions not published by the deadline; their"
                                + " handles complete when the threads completing them run again", unpublished);
                    }
                    return after;
                }
                LockSupport.parkNanos(registry, Math.min(deadlineNanos - now, PUBLICATION_RECHECK_NANOS));
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The cells not COMPLETE now that the look can find, each once: the workers' cells that never
     * returned pending ({@link LazyLink}: in no shard), as far as the queues and the polls show
     * them, then the linked ones, every one of them (each shard copied under its lock, as the
     * abort's walk copies it; a task dump's walk would not do: it sizes its copy by the counts,
     * the very thing this must not trust). Once the workers stopped, the unlinked ones are the
     * first polls of workers left behind (a stuck poll), and such a cell between its count and
     * its COMPLETE: the last cell its worker's poll context left, or the one the worker's
     * stop-time loop is cancelling ({@link PollContext}, "The last cell left stays visible").
     *
     * <p>In that order, and deduplicated by identity: a cell only ever goes from unlinked to linked
     * (a pending return, a {@code blockInPlace} hand-over, an inject queue's shutdown drain, each
     * of which may run now on a thread left behind or a draining one), never back. Read unlinked
     * first and linked after, it is counted once; linked before the first read, the shards' copy
     * finds it. The other order could miss a cell linked between the two reads.
     *
     * <p>Not covered (a left-behind worker's stop-time loop only): a cell that loop took out of
     * its LIFO slot or a ring and has not shown yet (between the pop and {@link
     * PollContext#showCancelling}). The inject queues' drained list is linked before it is
     * cancelled ({@link InjectQueue#drainForShutdown}), and a first poll that blocks in place
     * after the abort began is linked before its hand-over ({@link LazyLink#linkBeforeHandOver}).
     */
    private static long unfinishedCells(TaskRegistry registry) {
        Set<TaskCell<?>> unfinished = registry.linkQueuedSpawnsAndCollectUnlinked(Integer.MAX_VALUE); // identity set
        registry.linkQueuedSpawns(true); // as the abort's walk: in-flight outside spawns waited for
        for (TaskShard shard : registry.allShards()) {
            for (TaskCell<?> cell : shard.snapshotAll()) {
                unfinished.add(cell);
            }
        }
        return unfinished.size();
    }
}

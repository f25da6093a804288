package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The side of a task cell that others wait on: its list of waiters ({@link Waiters}), the
 * blocking {@link Future} methods, and the {@code CompletionStage} bridge. {@link TaskCell} adds
 * the state machine and the task; the split keeps one idea per file while a spawn stays one
 * object of 32 bytes (this class adds one field, {@link #waiters}).
 *
 * <p>Waiters are registered by whoever awaits the cell: a task polling the handle, a thread in
 * {@code get}, the stage bridge. The completer takes the whole list once, with an exchange to
 * {@link Waiters#DONE}, and wakes it; a registrant that finds DONE wakes itself. A registrant that
 * pushed just as the cell completed re-checks after its push (see {@link #addWaiter}).
 */
abstract class AwaitableCell<T> extends StageForwarding<T> implements Future<T> {

    private static final VarHandle WAITERS;

    static {
        try {
            WAITERS = MethodHandles.lookup().findVarHandle(AwaitableCell.class, "waiters", Waiters.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through WAITERS
    private Waiters waiters;

    /** Whether the outcome is published (acquire: the outcome may be read after a true). */
    public abstract boolean isFinished();

    /** The value, or a {@link TaskCell.Failure}; valid only once {@link #isFinished()}. */
    abstract Object outcome();

    /** The task's name, for messages. */
    public abstract String name();

    /** Cancels the task (the handle's abort). */
    public abstract void abort();

    // ---- the waiter list --------------------------------------------------------------------

    /**
     * Registers {@code waker} to be woken once when the task completes (at once if it has); it is
     * dropped once it says it is obsolete (see {@link Waiters}). Lock-free; O(1) amortised.
     */
    final void addWaiter(Waker waker) {
        Waiters head = (Waiters) WAITERS.getAcquire(this);
        for (;;) {
            if (head == Waiters.DONE) {
                waker.wake();
                return;
            }
            if (head != null && head.waker == waker) {
                return; // the same awaiter polled again while pending: already registered
            }
            Waiters node = Waiters.on(head, waker, waiterCompactionThreshold());
            // Volatile CAS: pairs with the completer's volatile read in takeWaiters (Dekker: we
            // push then read the state, it writes the state then reads the list).
            Waiters witness = (Waiters) WAITERS.compareAndExchange(this, head, node);
            if (witness == head) {
                compactAfterPush(node);
                wakeWaitersIfFinished();
                return;
            }
            head = witness;
        }
    }

    /**
     * The list length from which this cell's waiters are compacted; {@link Waiters#MIN_COMPACTION_LENGTH},
     * smaller only in tests that need compaction within a few operations.
     */
    int waiterCompactionThreshold() {
        return Waiters.MIN_COMPACTION_LENGTH;
    }

    /**
     * Called by the completer right after it published COMPLETE: wakes every waiter. Most tasks
     * are never awaited, so the exchange is skipped when nobody registered; a registrant that
     * pushes concurrently re-checks COMPLETE after its own CAS, and since both sides use volatile
     * accesses one of the two sees the other.
     */
    final void wakeWaitersAfterCompletion() {
        if (WAITERS.getVolatile(this) != null) {
            takeAndWake();
        }
    }

    /**
     * After a push: if the task already completed, the completer may have looked at the list
     * before the push, so wake it here. Whoever takes the list wakes it.
     */
    private void wakeWaitersIfFinished() {
        if (isFinished()) {
            takeAndWake();
        }
    }

    private void takeAndWake() {
        Waiters taken = (Waiters) WAITERS.getAndSet(this, Waiters.DONE);
        if (taken != Waiters.DONE) {
            CompletionCascade.wakeAll(taken);
        }
    }

    /**
     * An awaiter gave up on this cell without saying which registration was its own (the handle
     * is shared; see {@link Waiters}): counts the give-up and, when enough did, unlinks the
     * obsolete registrations now rather than at the next push, which may never come. O(1)
     * amortised, lock-free; a no-op on a list that stayed short or was already taken.
     */
    final void waiterGaveUp() {
        Waiters head = (Waiters) WAITERS.getAcquire(this);
        // Lists that stayed short have no Stats: they hold fewer nodes than the threshold.
        if (head != null && head != Waiters.DONE && head.stats != null && head.stats.countGiveUpAndClaim()) {
            compactWhileDue(head.stats);
        }
    }

    /** Called by the registrant that just pushed {@code node}: counts the push and compacts if that is due. */
    private void compactAfterPush(Waiters node) {
        Waiters.Stats stats = node.stats;
        if (stats != null && stats.countPushAndClaim()) {
            compactWhileDue(stats);
        }
    }

    /**
     * Holding the list's compaction claim (which consumed the counts that made it due): unlinks
     * the obsolete nodes below the head as it is now, releases the claim, and goes again while
     * what others counted meanwhile makes another compaction due (see {@link Waiters}, "No count
     * is lost"). Never blocks.
     */
    private void compactWhileDue(Waiters.Stats stats) {
        do {
            try {
                // Read after the claim: every push it consumed linked its node at or below this
                // head, every give-up it consumed (but a race loser's) made its node obsolete.
                // A list with Stats never becomes empty again; once taken (DONE), the completer
                // wakes it and there is nothing to keep short.
                Waiters head = (Waiters) WAITERS.getAcquire(this);
                if (head != null && head != Waiters.DONE) {
                    stats.compacted(Waiters.compactBelow(head));
                }
            } finally {
                stats.release();
            }
        } while (stats.claimIfDue());
    }

    /** Waiters currently linked (DONE counts as none); for tests and diagnostics. */
    final int waiterCount() {
        return Waiters.length((Waiters) WAITERS.getAcquire(this));
    }

    /** The newest registration (null if none, {@link Waiters#DONE} once taken); for tests and diagnostics. */
    final Waiters waiterHead() {
        return (Waiters) WAITERS.getAcquire(this);
    }

    /** Whether {@code waker} is linked now; for tests and diagnostics. */
    final boolean hasWaiter(Waker waker) {
        for (Waiters w = (Waiters) WAITERS.getAcquire(this); w != null && w != Waiters.DONE; w = w.next()) {
            if (w.waker == waker) {
                return true;
            }
        }
        return false;
    }

    // ---- Future -----------------------------------------------------------------------------

    /**
     * Whether {@link Future#cancel} succeeded on this cell: its outcome is, or will be once the
     * poll in progress returns, a cancellation.
     */
    abstract boolean isFutureCancelled();

    @Override
    public boolean isCancelled() {
        return isFutureCancelled()
                || isFinished() && outcome() instanceof TaskCell.Failure failure && failure.cause() instanceof TaskCancelledException;
    }

    /** Finished, or cancelled through {@link Future#cancel} (done from that moment, by its contract). */
    @Override
    public boolean isDone() {
        return isFinished() || isFutureCancelled();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isFinished()) {
            throwIfFutureCancelled();
            awaitFinished(false, 0);
        }
        return reportForFuture();
    }

    /**
     * A cell cancelled through {@link Future#cancel} is done: {@code get} throws at once rather
     * than waiting for the poll in progress to return (its outcome will be that cancellation).
     */
    private void throwIfFutureCancelled() {
        if (isFutureCancelled()) {
            throw new TaskCancelledException("task " + name() + " was cancelled");
        }
    }

    /**
     * As {@code FutureTask} and {@code CompletableFuture}: a timeout of zero or less on an
     * unfinished task throws {@link TimeoutException} at once, without registering anything; a
     * huge one waits as long as it takes (the nanosecond arithmetic wraps safely).
     */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (unit == null) {
            throw new NullPointerException("unit must not be null");
        }
        if (!isFinished()) {
            throwIfFutureCancelled();
            long nanos = unit.toNanos(timeout); // saturates at Long.MAX_VALUE / MIN_VALUE
            if (nanos <= 0 || !awaitFinished(true, nanos)) {
                throw new TimeoutException("task " + name() + " did not finish within " + timeout + " " + unit);
            }
        }
        return reportForFuture();
    }

    /**
     * Blocks the calling thread until the task finished or, if {@code timed}, {@code nanos}
     * (positive) passed. Returns whether it finished. A wait that ends unfinished (timeout or
     * interrupt) abandons its registration and reports the give-up, so the list drops it (see
     * {@link Waiters}).
     */
    private boolean awaitFinished(boolean timed, long nanos) throws InterruptedException {
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        Waiters.ThreadWaker waker = new Waiters.ThreadWaker();
        addWaiter(waker);
        try {
            while (!isFinished()) {
                if (timed) {
                    long left = deadline - System.nanoTime(); // wraps correctly for any positive nanos
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for task " + name());
                }
            }
            return true;
        } finally {
            if (!isFinished()) {
                waker.abandon(); // first: the compaction below must see the node obsolete
                waiterGaveUp();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private T reportForFuture() throws ExecutionException {
        Object result = outcome();
        if (result instanceof TaskCell.Failure failure) {
            if (failure.cause() instanceof TaskCancelledException cancelled) {
                if (cancelled.getStackTrace().length == 0) {
                    // The runtime's own cancellations carry no stack (see TaskCancelledException):
                    // the caller gets one of its own, with the stored exception as the cause.
                    TaskCancelledException here = new TaskCancelledException(cancelled.getMessage());
                    here.initCause(cancelled);
                    throw here;
                }
                throw cancelled;
            }
            throw new ExecutionException(failure.cause());
        }
        return (T) result;
    }

    // ---- CompletionStage ----------------------------------------------------------------------

    /**
     * The future behind the {@code CompletionStage} side. It is registered as a waiter (a
     * {@link StageBridge}, never obsolete, so never dropped as abandoned) rather than kept in a
     * field of its own, so cells that are never used as a stage carry no field for it. Once the
     * cell is complete and its waiters are gone, a completed future is made on demand.
     */
    @Override
    final CompletableFuture<T> stage() {
        StageBridge<T> created = null;
        Waiters head = (Waiters) WAITERS.getAcquire(this);
        for (;;) {
            if (head == Waiters.DONE) {
                return completedStage();
            }
            for (Waiters w = head; w != null; w = w.next()) {
                if (w.waker instanceof StageBridge<?> existing) {
                    @SuppressWarnings("unchecked")
                    CompletableFuture<T> future = ((StageBridge<T>) existing).future;
                    return future;
                }
            }
            if (created == null) {
                created = new StageBridge<>(this);
            }
            Waiters node = Waiters.on(head, created, waiterCompactionThreshold());
            Waiters witness = (Waiters) WAITERS.compareAndExchange(this, head, node);
            if (witness == head) {
                compactAfterPush(node);
                wakeWaitersIfFinished();
                return created.future;
            }
            head = witness;
        }
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<T> completedStage() {
        Object result = outcome();
        return result instanceof TaskCell.Failure failure
                ? CompletableFuture.failedFuture(failure.cause())
                : CompletableFuture.completedFuture((T) result);
    }

    /** Completes a {@code CompletableFuture} with the cell's outcome when the cell completes. */
    private static final class StageBridge<T> implements Waker {
        final CompletableFuture<T> future = new CompletableFuture<>();
        private final AwaitableCell<T> cell;

        StageBridge(AwaitableCell<T> cell) {
            this.cell = cell;
        }

        /**
         * Completing the future runs its dependent callbacks here, user code that may block on
         * what it causes: run outside the delivery we are in, so its wakes are not held back.
         */
        @Override
        public void wake() {
            CompletionCascade.runOutsideDelivery(this::completeFuture);
        }

        @SuppressWarnings("unchecked")
        private void completeFuture() {
            Object result = cell.outcome();
            if (result instanceof TaskCell.Failure failure) {
                future.completeExceptionally(failure.cause());
            } else {
                future.complete((T) result);
            }
        }
    }
}

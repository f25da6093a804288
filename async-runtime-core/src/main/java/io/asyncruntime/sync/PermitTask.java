package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A task that takes permits from a {@link BatchSemaphore} and, once it has them, is the handle
 * that gives them back ({@link Semaphore.Permit}, a {@link Mutex} or {@link RwLock} guard, a
 * {@link Channel} reservation). It tries the semaphore's fast path first and allocates its node in
 * the wait queue ({@link Node}) only if it must wait, so an uncontended acquire allocates this one
 * object.
 *
 * <p>{@link #state} moves INIT → (WAITING →) TAKEN → RELEASED (or another terminal state of the
 * subclass, such as a channel permit that sent), or ends in FAILED or CANCELLED. Only the owner
 * moves it, except TAKEN → RELEASED, which is a CAS so that a handle closed twice, or from two
 * threads, gives its permits back once.
 */
abstract class PermitTask {

    static final int INIT = 0;
    static final int WAITING = 1;
    static final int TAKEN = 2;
    static final int RELEASED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PermitTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A permit task's place in the wait queue, allocated when it first has to wait. */
    static final class Node extends BatchSemaphore.Acquirer {
        Node(int permits) {
            super(permits);
        }
    }

    final BatchSemaphore semaphore;
    final int requested;
    @SuppressWarnings("unused") // through STATE
    volatile int state;
    private Node node;

    PermitTask(BatchSemaphore semaphore, int requested) {
        this.semaphore = semaphore;
        this.requested = requested;
    }

    /** Marks a handle made from permits already taken (a successful try). */
    final void markTaken() {
        STATE.setRelease(this, TAKEN); // see setState
    }

    /**
     * The owner's moves of {@link #state} (INIT → WAITING → TAKEN, FAILED, CANCELLED). A release
     * store, not a volatile one: no later read of the owner's must be kept behind it (the only
     * race on the field is {@link #leaveTaken}'s CAS from whoever closes the handle, and that
     * thread got the handle from this task's completion, which orders this store before its
     * CAS). On x86 a volatile store is a full fence (as costly as a CAS) and was one of the
     * four atomic operations of an uncontended acquire and release; the release store is a plain
     * move.
     */
    private void setState(int next) {
        STATE.setRelease(this, next);
    }

    /**
     * One poll of the acquire: {@link BatchSemaphore#ACQUIRED} (now TAKEN),
     * {@link BatchSemaphore#NO_PERMITS} (pending, the waker registered or the budget spent) or
     * {@link BatchSemaphore#CLOSED_RESULT} (FAILED). Owner only.
     */
    final int pollPermits(Context cx) {
        int result;
        if (node == null) {
            if ((int) STATE.getAcquire(this) != INIT) {
                throw new IllegalStateException("a finished acquire was polled again");
            }
            if (!cx.consumeBudget()) {
                return BatchSemaphore.NO_PERMITS;
            }
            result = semaphore.tryAcquire(requested);
            if (result == BatchSemaphore.NO_PERMITS) {
                node = new Node(requested);
                result = semaphore.enqueue(node, cx.waker());
            }
        } else {
            result = semaphore.pollAcquire(node, cx);
        }
        if (result == BatchSemaphore.ACQUIRED) {
            setState(TAKEN);
        } else if (result == BatchSemaphore.CLOSED_RESULT) {
            setState(FAILED);
        } else {
            setState(WAITING);
        }
        return result;
    }

    /**
     * Drops an acquire that has not completed: leaves the queue, gives back what it was given, and
     * returns true. On an acquire that already completed (TAKEN, or a terminal state) it does
     * nothing and returns false: the permits belong to the handle this task completed with, and
     * only the handle's {@code close} gives them back. (Moving a TAKEN handle to CANCELLED here
     * leaked its permits for good; see {@code CancelAfterAcquireLeaksPermitTest}.) Owner only, so
     * INIT and WAITING, which only the owner leaves, cannot change under this check.
     */
    final boolean cancelAcquire() {
        int current = state;
        if (current != INIT && current != WAITING) {
            return false;
        }
        if (node != null && current == WAITING) {
            semaphore.cancel(node);
        }
        setState(CANCELLED);
        return true;
    }

    /** TAKEN → {@code to}, once; whoever wins owns the permits' fate. */
    final boolean leaveTaken(int to) {
        return STATE.compareAndSet(this, TAKEN, to);
    }

    /** Gives the permits back if this handle still holds them; idempotent. */
    final void releasePermits() {
        if (leaveTaken(RELEASED)) {
            semaphore.release(requested);
        }
    }

    /** For tests: the phase of the wait node, or -1 if this acquire never waited. */
    final int nodePhase() {
        return node == null ? -1 : node.phase;
    }
}

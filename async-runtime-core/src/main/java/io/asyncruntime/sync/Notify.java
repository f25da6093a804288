package io.asyncruntime.sync;

import io.asyncruntime.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Wakes waiting tasks: {@link #notifyOne()} wakes the longest-waiting task, or stores one permit
 * for the next {@link #notified()} when none waits; {@link #notifyAllWaiters()} wakes every task waiting
 * now and stores nothing. Tokio's {@code Notify}.
 *
 * <pre>{@code
 * // consumer: create the wait first, then check, then await: no notify between them is lost
 * Task<Void> wait = ready.notified();
 * if (!queue.isEmpty()) { ... } else { ... wait ... }
 * // producer
 * queue.add(item); ready.notifyOne();
 * }</pre>
 *
 * <p>The name for waking everyone, {@code notifyAll()}, is a final method of
 * {@link Object} (it needs the object's monitor and throws {@link IllegalMonitorStateException}
 * without it), so the method is {@link #notifyAllWaiters()}; Tokio calls it {@code notify_waiters}.
 *
 * <p>At most one permit is stored: notifying twice with nobody waiting lets one later wait through.
 * A {@code notified()} task created before a {@link #notifyAllWaiters()} completes because of it even if it
 * had not been polled yet, so creating it before checking a condition closes the race between the
 * check and the wait.
 *
 * <p>Cancellation is dropping: a cancelled wait leaves the queue; if it had been picked by
 * {@code notifyOne} but not yet seen it, the notification goes to the next waiter (or is stored),
 * so none is lost. A completed wait spends one unit of the cooperative budget. Notifying with
 * nobody waiting is one CAS. Thread-safe.
 *
 * <h2>The state word</h2>
 * <pre>
 *   bits 0..1  EMPTY, WAITING (the queue is not empty) or NOTIFIED (a permit is stored)
 *   bits 2..   how many times notifyAllWaiters was called (the generation a wait compares against)
 * </pre>
 * WAITING is entered and left only under the lock; NOTIFIED only exists while nobody waits.
 */
public final class Notify {

    static final long EMPTY = 0;
    static final long WAITING = 1;
    static final long NOTIFIED = 2;
    static final long STATE_MASK = 3;
    static final long GENERATION_ONE = 4;

    static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Notify.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile long state;
    final WaitList waiters = new WaitList();

    /** A notify with no stored permit and nobody waiting. */
    public Notify() {
    }

    /**
     * A task that completes when this notify is notified: by a {@link #notifyOne()} that picks it
     * (or whose stored permit it takes), or by a {@link #notifyAllWaiters()} called after this method.
     * Waits are served in arrival order.
     */
    public Task<Void> notified() {
        return new Notified(this, generation());
    }

    /**
     * Wakes the longest-waiting task, or, if none waits, stores one permit for the next wait (a
     * permit already stored stays the only one).
     */
    public void notifyOne() {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            if ((s & STATE_MASK) != WAITING) {
                long next = (s & ~STATE_MASK) | NOTIFIED;
                if (next == s) {
                    return;
                }
                long witness = (long) STATE.compareAndExchange(this, s, next);
                if (witness == s) {
                    return;
                }
                s = witness;
                continue;
            }
            waiters.lock();
            s = (long) STATE.getVolatile(this);
            if ((s & STATE_MASK) != WAITING) {
                waiters.unlock(); // the waiters left meanwhile: store a permit instead
                continue;
            }
            Notified first = (Notified) waiters.popFront();
            first.phase = Notified.NOTIFIED_ONE;
            waiters.toWake(first);
            if (waiters.isEmpty()) {
                STATE.setVolatile(this, (s & ~STATE_MASK) | EMPTY); // WAITING: nobody else writes
            }
            waiters.unlockAndWake();
            return;
        }
    }

    /** Wakes every task waiting now; stores no permit (one already stored stays). */
    public void notifyAllWaiters() {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            if ((s & STATE_MASK) != WAITING) {
                long witness = (long) STATE.compareAndExchange(this, s, s + GENERATION_ONE);
                if (witness == s) {
                    return;
                }
                s = witness;
                continue;
            }
            waiters.lock();
            s = (long) STATE.getVolatile(this);
            if ((s & STATE_MASK) != WAITING) {
                waiters.unlock();
                continue;
            }
            for (WaitNode node = waiters.popFront(); node != null; node = waiters.popFront()) {
                ((Notified) node).phase = Notified.NOTIFIED_ALL;
                waiters.toWake(node);
            }
            STATE.setVolatile(this, ((s & ~STATE_MASK) + GENERATION_ONE) | EMPTY);
            waiters.unlockAndWake();
            return;
        }
    }

    /** For tests and diagnostics: how many tasks are waiting. */
    int waiterCount() {
        return waiters.waiterCount();
    }

    /** Whether a permit is stored. */
    boolean hasStoredPermit() {
        return ((long) STATE.getVolatile(this) & STATE_MASK) == NOTIFIED;
    }

    long generation() {
        return (long) STATE.getVolatile(this) & ~STATE_MASK;
    }

    long state() {
        return (long) STATE.getVolatile(this);
    }

    boolean compareAndSetState(long expected, long next) {
        return STATE.compareAndSet(this, expected, next);
    }

    void setStateUnderLock(long next) {
        STATE.setVolatile(this, next);
    }

    @Override
    public String toString() {
        long s = state();
        String what = (s & STATE_MASK) == WAITING ? "waiting" : (s & STATE_MASK) == NOTIFIED ? "permit stored" : "empty";
        return "Notify[" + what + "]";
    }
}

package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks one worker thread, either on its own ({@code LockSupport}) or inside the shared
 * {@link Driver}, and lets any thread unpark it without losing a notification.
 *
 * <p>States: EMPTY → PARKED_THREAD or PARKED_DRIVER (by the worker) → NOTIFIED (by an unparker,
 * who then wakes the thread or the driver according to what it replaced) → EMPTY (by the worker
 * when it returns). An unpark that arrives before the park leaves NOTIFIED, and the park then
 * returns at once. Spurious returns of {@code LockSupport.park} are filtered by re-checking the
 * state.
 *
 * <p>The worker's interrupt flag carries no meaning for the runtime (the worker clears what a
 * task leaves after each poll), but a user's thread may still interrupt a parked worker. A set
 * flag makes {@code LockSupport.park} return at once, so the park loop clears it: otherwise an
 * idle worker would spin at 100 % of a core.
 */
final class Parker {

    private static final int EMPTY = 0;
    private static final int PARKED_THREAD = 1;
    private static final int PARKED_DRIVER = 2;
    private static final int NOTIFIED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Parker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    private volatile Thread thread;
    private final Driver driver;

    Parker(Driver driver) {
        this.driver = driver;
    }

    void bind(Thread owner) {
        thread = owner;
    }

    /**
     * Blocks the owner on its own until unparked, or for at most {@code timeoutNanos} if that is
     * positive. A timeout leaves PARKED_THREAD for EMPTY like a wake does: an unpark racing with
     * it is consumed here (its {@code LockSupport.unpark} leaves a permit, which at most ends one
     * later park early, filtered like a spurious return); a notifier picks a sleeper in
     * {@link Idle} before it unparks, so the caller still sees the wake there.
     */
    void parkThread(long timeoutNanos) {
        if (STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
            return;
        }
        if (!STATE.compareAndSet(this, EMPTY, PARKED_THREAD)) {
            STATE.setVolatile(this, EMPTY); // it was NOTIFIED in between
            return;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        while ((int) STATE.getVolatile(this) == PARKED_THREAD) {
            if (timeoutNanos <= 0) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, left);
            }
            Thread.interrupted(); // see the class comment: never spin on an interrupted thread
        }
        STATE.setVolatile(this, EMPTY);
    }

    /**
     * Blocks the owner inside the driver (the caller holds the driver lock) until unparked, an
     * event, or the timeout.
     */
    void parkInDriver(long timeoutNanos, boolean runtimeIdle) {
        if (STATE.compareAndSet(this, NOTIFIED, EMPTY)) {
            driver.park(0, false); // still turn the driver once: events may be waiting
            return;
        }
        if (!STATE.compareAndSet(this, EMPTY, PARKED_DRIVER)) {
            STATE.setVolatile(this, EMPTY);
            driver.park(0, false);
            return;
        }
        driver.park(timeoutNanos, runtimeIdle);
        STATE.setVolatile(this, EMPTY);
    }

    /** Wakes the owner wherever it is parked, or makes its next park return at once. */
    void unpark() {
        int previous = (int) STATE.getAndSet(this, NOTIFIED);
        if (previous == PARKED_THREAD) {
            LockSupport.unpark(thread);
        } else if (previous == PARKED_DRIVER) {
            driver.unpark();
        }
    }
}

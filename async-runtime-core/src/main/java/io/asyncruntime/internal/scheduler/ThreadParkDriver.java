package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The innermost {@link Driver}: no resources, it only blocks the thread that holds it, with a
 * timeout, until {@link #unpark()}. The time driver wraps it (and, later, the I/O driver replaces
 * it with a {@code Selector}).
 *
 * <p>Only a worker parks here, and a worker's interrupt flag means nothing to the runtime; a set
 * flag would make every {@code LockSupport.park} return at once and this loop spin, so each
 * return clears it (a user's thread may interrupt a parked worker).
 */
public final class ThreadParkDriver implements Driver {

    private static final VarHandle NOTIFIED;

    static {
        try {
            NOTIFIED = MethodHandles.lookup().findVarHandle(ThreadParkDriver.class, "notified", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through NOTIFIED
    private volatile boolean notified;
    /** The thread blocked in park, or null; written before blocking, cleared after. */
    private volatile Thread parked;

    @Override
    public void park(long timeoutNanos, boolean runtimeIdle) {
        if ((boolean) NOTIFIED.getAndSet(this, false) || timeoutNanos == 0) {
            return;
        }
        Thread self = Thread.currentThread();
        parked = self;
        try {
            // Re-check after publishing ourselves: an unpark between the first check and the
            // write of `parked` set the flag but could not see us.
            if ((boolean) NOTIFIED.getAndSet(this, false)) {
                return;
            }
            long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
            for (;;) {
                if (timeoutNanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                Thread.interrupted(); // never spin on an interrupted thread (see the class comment)
                if ((boolean) NOTIFIED.getAndSet(this, false)) {
                    return;
                }
            }
        } finally {
            parked = null;
        }
    }

    @Override
    public void unpark() {
        NOTIFIED.setVolatile(this, true);
        Thread t = parked;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void shutdown() {
        unpark();
    }
}

package io.asyncruntime.benchmarks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-use signal from one sender to one receiver: the "oneshot" of {@code ping_pong}.
 *
 * <p>Every implementation uses this same cell, so {@code ping_pong} compares how each scheduler
 * resumes a waiter, not how fast each library's future type is. The cell does not know how to
 * resume anyone: the receiver registers an opaque waiter (a {@code Waker}, a continuation task, a
 * parked thread) and the sender gets it back from {@link #send()} and resumes it in its
 * implementation's own way. That is the whole protocol of Tokio's oneshot minus the value.
 *
 * <p>States: {@code null} (empty) → a registered waiter → {@link #SENT}; or {@code null} →
 * {@code SENT} when the message arrives before the receiver looks.
 */
public final class OneShot {

    private static final Object SENT = new Object();
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OneShot.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Volatile access only: the send must be visible to a receiver that saw its own registration fail. */
    @SuppressWarnings("unused")
    private volatile Object state;

    /**
     * Sends the message.
     *
     * @return the waiter registered before the send, which the caller must resume, or {@code null}
     */
    public Object send() {
        Object previous = STATE.getAndSet(this, SENT);
        if (previous == SENT) {
            throw new IllegalStateException("a OneShot is sent once");
        }
        return previous;
    }

    /** Whether the message has been sent. */
    public boolean isSent() {
        return state == SENT;
    }

    /**
     * Registers (or replaces, on a repeated wait) the receiver's waiter unless the message is
     * already there.
     *
     * @return {@code true} if the waiter was registered and will be handed to the sender;
     *     {@code false} if the message has arrived and the receiver can go on at once
     */
    public boolean register(Object waiter) {
        Object current = state;
        while (current != SENT) {
            if (STATE.compareAndSet(this, current, waiter)) {
                return true;
            }
            current = state;
        }
        return false;
    }
}

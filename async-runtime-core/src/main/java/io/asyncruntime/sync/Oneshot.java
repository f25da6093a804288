package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * A channel for exactly one value: one side {@link #send}s it, the other {@link #recv}s it
 * (request/reply: send a oneshot with the request, await the reply on it). Tokio's
 * {@code oneshot}.
 *
 * <p>{@link #close()} is how either side says it is gone: after it a {@code send} returns false
 * (the value is not delivered), and a receiver that has no value yet fails with a
 * {@link ChannelClosedException}; a value sent before the close can still be received. A sender
 * sees that the receiver is gone through {@link #isClosed()} or a false {@code send}.
 *
 * <p>Cancellation is dropping: a cancelled {@code recv} takes nothing and leaves no waker
 * registered, so a later {@code recv} still gets the value. A completed {@code recv} spends one
 * unit of the cooperative budget. One object, no lock: every transition is a CAS on one state
 * word. Thread-safe.
 *
 * <h2>The state word</h2>
 * <pre>
 *   SENDING   a send claimed the oneshot (a second send fails at once)
 *   SENT      the value is published; set by a CAS that fails if CLOSED is set, so a send either
 *             completes before the close or not at all
 *   CLOSED    terminal for sends
 *   RX_WAKER  the receiver's waker is in {@code rxWaker}; whoever sets SENT or CLOSED while it is
 *             set wakes it
 *   TAKEN     the value was received
 * </pre>
 *
 * @param <T> the value type
 */
public final class Oneshot<T> {

    private static final int SENDING = 1;
    private static final int SENT = 1 << 1;
    private static final int CLOSED = 1 << 2;
    private static final int RX_WAKER = 1 << 3;
    private static final int TAKEN = 1 << 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Oneshot.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** Written by the sender after it claimed SENDING, published by the CAS that sets SENT. */
    private T value;
    /** Written by the receiver while RX_WAKER is clear, published by the CAS that sets it. */
    private Waker rxWaker;

    /** An empty, open oneshot. */
    public Oneshot() {
    }

    /**
     * Sends the value: returns true if it is delivered (a receiver gets it), false if the oneshot
     * was closed first (nobody will).
     *
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalStateException if a value was already sent and the oneshot is not closed
     */
    public boolean send(T value) {
        if (value == null) {
            throw new NullPointerException("value must not be null");
        }
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & CLOSED) != 0) {
                return false; // whether or not a value was sent before: nobody takes this one
            }
            if ((s & (SENDING | SENT)) != 0) {
                throw new IllegalStateException("a Oneshot sends one value, and one was already sent");
            }
            int witness = (int) STATE.compareAndExchange(this, s, s | SENDING);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        this.value = value;
        s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & CLOSED) != 0) {
                this.value = null;
                return false;
            }
            int witness = (int) STATE.compareAndExchange(this, s, s | SENT);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        if ((s & RX_WAKER) != 0) {
            wakeReceiver();
        }
        return true;
    }

    /**
     * A task that completes with the value once it is sent, or fails with a
     * {@link ChannelClosedException} if the oneshot is (or gets) closed with no value sent.
     * Fails with an {@link IllegalStateException} if the value was already received.
     */
    public Task<T> recv() {
        return new Recv<>(this);
    }

    /**
     * The value if it was sent (and not received yet); empty if it was not sent yet.
     *
     * @throws ChannelClosedException if the oneshot was closed with no value sent
     * @throws IllegalStateException if the value was already received
     */
    public Optional<T> tryRecv() {
        int s = (int) STATE.getVolatile(this);
        if ((s & SENT) != 0) {
            return Optional.of(take());
        }
        if ((s & TAKEN) != 0) {
            throw alreadyReceived();
        }
        if ((s & CLOSED) != 0) {
            throw closedEmpty();
        }
        return Optional.empty();
    }

    /**
     * Closes the oneshot: later sends return false and a receiver with no value fails. A value
     * sent before stays receivable. Idempotent.
     */
    public void close() {
        int previous = (int) STATE.getAndBitwiseOr(this, CLOSED);
        if ((previous & (RX_WAKER | SENT | CLOSED)) == RX_WAKER) {
            wakeReceiver();
        }
    }

    /**
     * Wakes the waker the receiver registered. Called after an RMW that saw RX_WAKER: the receiver
     * can no longer replace the waker (its CAS would fail on the changed word), but it may already
     * have taken the value and cleared the field, hence the null check.
     */
    private void wakeReceiver() {
        Waker waker = rxWaker;
        if (waker != null) {
            waker.wake();
        }
    }

    /** Whether the oneshot was closed (by either side). */
    public boolean isClosed() {
        return ((int) STATE.getVolatile(this) & CLOSED) != 0;
    }

    @Override
    public String toString() {
        int s = (int) STATE.getVolatile(this);
        String what = (s & TAKEN) != 0 ? "received" : (s & SENT) != 0 ? "sent" : "empty";
        return "Oneshot[" + what + ((s & CLOSED) != 0 ? ", closed]" : "]");
    }

    /** Takes the sent value; the receiver only. */
    private T take() {
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & TAKEN) != 0) {
                throw alreadyReceived();
            }
            int witness = (int) STATE.compareAndExchange(this, s, (s | TAKEN) & ~RX_WAKER);
            if (witness == s) {
                T taken = value;
                value = null;
                rxWaker = null;
                return taken;
            }
            s = witness;
        }
    }

    /**
     * Polls for the value: the value (taken), or null with the waker registered.
     *
     * @throws ChannelClosedException if closed with no value
     */
    private T poll(Context cx) {
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & SENT) != 0) {
                if (!cx.consumeBudget()) {
                    return null;
                }
                return take();
            }
            if ((s & TAKEN) != 0) {
                throw alreadyReceived();
            }
            if ((s & CLOSED) != 0) {
                throw closedEmpty();
            }
            Waker waker = cx.waker();
            if ((s & RX_WAKER) != 0) {
                if (rxWaker == waker) {
                    return null;
                }
                // Another waker: take ours out first, then write the new one while nobody reads it.
                int witness = (int) STATE.compareAndExchange(this, s, s & ~RX_WAKER);
                if (witness != s) {
                    s = witness;
                    continue;
                }
                s &= ~RX_WAKER;
            }
            rxWaker = waker;
            int witness = (int) STATE.compareAndExchange(this, s, s | RX_WAKER);
            if (witness == s) {
                return null;
            }
            s = witness; // sent or closed meanwhile: look again
        }
    }

    /** Withdraws the receiver's waker (a cancelled recv). */
    private void deregister() {
        int s = (int) STATE.getVolatile(this);
        while ((s & RX_WAKER) != 0) {
            int witness = (int) STATE.compareAndExchange(this, s, s & ~RX_WAKER);
            if (witness == s) {
                return; // the field is left for the next registration to overwrite
            }
            s = witness;
        }
    }

    private static IllegalStateException alreadyReceived() {
        return new IllegalStateException("the Oneshot's value was already received");
    }

    private static ChannelClosedException closedEmpty() {
        return new ChannelClosedException("the Oneshot was closed without a value");
    }

    /** {@link #recv()}: takes the value only in the poll that returns it. */
    private static final class Recv<T> implements Task<T> {
        private final Oneshot<T> oneshot;
        private boolean registered;

        Recv(Oneshot<T> oneshot) {
            this.oneshot = oneshot;
        }

        @Override
        public Poll<T> poll(Context cx) {
            T value = oneshot.poll(cx);
            if (value == null) {
                registered = true;
                return Poll.pending();
            }
            registered = false;
            return Poll.ready(value);
        }

        @Override
        public void cancel() {
            if (registered) {
                registered = false;
                oneshot.deregister();
            }
        }

        @Override
        public String toString() {
            return "Oneshot.recv()";
        }
    }
}

package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.nio.channels.ClosedChannelException;

/**
 * The common part of every network leaf task: waiting for readiness, and withdrawing the wait when
 * the task is cancelled, so that a cancelled operation leaves no waker (and so no task) reachable
 * from the channel. The operation itself (the non-blocking system call) is the subclass's.
 *
 * <p>Cancel-safety: an operation moves bytes, connections or datagrams only inside the poll that
 * returns them, so a cancel (which happens between polls) never loses any; the next operation
 * gets them.
 *
 * <p>Size: a stream's {@code read}, {@code readExact}, {@code write} and {@code writeAll} each make
 * one of these per call (the API returns a fresh task), four per request/response round trip. So
 * the registration and direction an operation waits on are the subclass's
 * ({@link #registration()}, {@link #direction()}: each operation waits on one registration, in one
 * direction, for its whole life), not fields here: the one field this class adds is the waker,
 * which keeps {@code StreamRead} and {@code StreamWrite} at 32 bytes (compressed oops) instead of 40.
 */
abstract class IoOperation<T> implements Task<T> {

    /** The waker registered by the last {@link #ready} that returned not-ready, until cancelled. */
    private Waker waiting;

    /** The registration this operation waits on; non-null from the first {@link #ready} on. */
    abstract IoRegistration registration();

    /** {@link IoRegistration#READ} or {@link IoRegistration#WRITE}: the direction it waits for. */
    abstract int direction();

    /**
     * A readiness token if this operation's direction of its registration is ready, or
     * {@link IoRegistration#NOT_READY} after registering the task's waker. A ready direction
     * registers nothing: an operation that can complete at once never touches the waiter slots
     * or the driver.
     *
     * @throws ClosedChannelException if the registration is closed, naming {@code action},
     *     {@code address} and why it closed
     */
    final long ready(Context cx, String action, Object address) throws ClosedChannelException {
        IoRegistration registration = registration();
        Waker waker = cx.waker();
        long token = registration.pollReady(direction(), waker);
        if (token >= 0) {
            return token;
        }
        if (token == IoRegistration.CLOSED) {
            throw NetErrors.closed(action, address, registration.closeReason());
        }
        waiting = waker;
        return IoRegistration.NOT_READY;
    }

    /** Withdraws the registered waker, if any, then lets the subclass release what it holds. */
    @Override
    public void cancel() {
        if (waiting != null) {
            registration().cancelWait(direction(), waiting);
            waiting = null;
        }
        onCancel();
    }

    /** What a cancel releases beyond the waker (a half-made connection, a claimed stream side). */
    void onCancel() {
    }
}

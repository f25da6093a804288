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
 */
abstract class IoOperation<T> implements Task<T> {

    private IoRegistration waitingOn;
    private int waitingDirection;
    private Waker waiting;

    /**
     * A readiness token if {@code direction} of {@code registration} is ready, or
     * {@link IoRegistration#NOT_READY} after registering the task's waker.
     *
     * @throws ClosedChannelException if the registration is closed, naming {@code action},
     *     {@code address} and why it closed
     */
    final long ready(Context cx, IoRegistration registration, int direction, String action, Object address)
            throws ClosedChannelException {
        Waker waker = cx.waker();
        long token = registration.pollReady(direction, waker);
        if (token >= 0) {
            return token;
        }
        if (token == IoRegistration.CLOSED) {
            throw NetErrors.closed(action, address, registration.closeReason());
        }
        waitingOn = registration;
        waitingDirection = direction;
        waiting = waker;
        return IoRegistration.NOT_READY;
    }

    /** Withdraws the registered waker, if any, then lets the subclass release what it holds. */
    @Override
    public void cancel() {
        if (waiting != null) {
            waitingOn.cancelWait(waitingDirection, waiting);
            waiting = null;
            waitingOn = null;
        }
        onCancel();
    }

    /** What a cancel releases beyond the waker (a half-made connection, a claimed stream side). */
    void onCancel() {
    }
}

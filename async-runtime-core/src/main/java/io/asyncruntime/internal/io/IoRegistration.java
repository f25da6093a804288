package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;
import java.io.IOException;

/**
 * One channel's readiness, as the I/O driver sees it, and the tasks waiting for it. The seam
 * between {@code io.asyncruntime.net} and whichever driver runs underneath (the {@code Selector}
 * driver today; a native epoll or io_uring driver could implement the same contract).
 *
 * <h2>How an operation uses it (the readiness loop)</h2>
 * <pre>{@code
 * for (;;) {
 *     long token = registration.pollReady(READ, cx.waker());
 *     if (token == NOT_READY) return Poll.pending();     // the waker is registered
 *     if (token == CLOSED)    throw closed(registration.closeReason());
 *     int n = channel.read(buffer);                       // the non-blocking syscall
 *     if (n != 0) return Poll.ready(n);
 *     registration.clearReady(READ, token);               // would-block: forget the readiness we saw
 * }
 * }</pre>
 * Readiness is cached with a tick: {@link #clearReady} forgets it only if no newer event arrived
 * since {@code token} was read, so an event that lands between the syscall and the clear is not
 * lost. A fresh registration is assumed ready in both directions: the first operation tries the
 * syscall, and only a would-block makes it wait.
 *
 * <h2>Threads</h2>
 * Any thread may call any method. The two directions are independent: a reader and a writer of
 * one channel wait and wake separately. Several tasks may wait on one direction at once (accepts
 * on a listener, receives on a datagram socket); each is woken when the direction becomes ready.
 */
public interface IoRegistration {

    /** The read direction: readable, acceptable. */
    int READ = 0;
    /** The write direction: writable, connectable. */
    int WRITE = 1;

    /** {@link #pollReady} result: not ready; the waker is registered. */
    long NOT_READY = -1;
    /** {@link #pollReady} result: the registration is closed (see {@link #closeReason()}). */
    long CLOSED = -2;

    /**
     * Returns a readiness token ({@code >= 0}) if {@code direction} is ready, {@link #CLOSED} if
     * the registration is closed, or {@link #NOT_READY} after arranging for {@code waker} to be
     * woken when the direction becomes ready or the registration is closed.
     *
     * @param direction {@link #READ} or {@link #WRITE}
     * @param waker the waiting task's waker; not null
     */
    long pollReady(int direction, Waker waker);

    /**
     * Forgets the readiness of {@code direction} after an operation hit would-block, unless an
     * event newer than {@code token} arrived (then the caller simply tries again).
     *
     * @param token what {@link #pollReady} returned before the operation
     */
    void clearReady(int direction, long token);

    /**
     * Withdraws {@code waker} from {@code direction}: the task that registered it was cancelled
     * and must not be woken or kept reachable. Readiness is untouched, so a cancelled operation
     * leaves the channel as it found it. Idempotent.
     */
    void cancelWait(int direction, Waker waker);

    /** Whether the registration was closed (by its owner or by the runtime's shutdown). */
    boolean isClosed();

    /** Why the registration was closed, for error messages; null while it is open. */
    String closeReason();

    /**
     * Closes the channel and the registration: waiting tasks are woken (they then see
     * {@link #CLOSED}), the driver forgets the channel, and no key or waker stays behind.
     * Idempotent; {@code reason} of the first call is kept.
     *
     * @param reason what operations report from now on, e.g. "the stream was closed"; not null
     * @throws IOException if closing the channel failed (the registration is closed anyway)
     */
    void close(String reason) throws IOException;
}

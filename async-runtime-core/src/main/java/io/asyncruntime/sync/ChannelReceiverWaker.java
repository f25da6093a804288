package io.asyncruntime.sync;

import io.asyncruntime.internal.scheduler.PollEndDeferral;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The waker slot of a {@link Channel}'s one receiver: a receive that must wait publishes its
 * waker with a CAS; a sender that wrote a message, or a close, takes it (CAS to null) and wakes
 * it. {@link Channel} extends it (split from it as a pure move).
 */
abstract class ChannelReceiverWaker {

    static final VarHandle RX_WAKER;

    static {
        try {
            RX_WAKER = MethodHandles.lookup().findVarHandle(ChannelReceiverWaker.class, "rxWaker", Waker.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The waiting receiver's waker, or null; taken (CAS to null) by whoever wakes it. */
    @SuppressWarnings("unused") // through RX_WAKER
    private volatile Waker rxWaker;

    /** The waker the receiver registered last (it may have been taken since); receiver-private. */
    private Waker receiverRegistered;

    /** The receive task that registered it; receiver-private. */
    private Object receiverOwner;

    /** {@link #wakeReceiver()}, made once: what {@link #wakeReceiver(Context)} hands the poll. */
    private final Runnable wakeReceiverAction = this::wakeReceiver;

    /**
     * Publishes the receiver's waker for {@code owner} (a receive task), replacing one the same
     * task registered before, with a volatile CAS: the re-check that follows must not be ordered
     * before it.
     *
     * @throws IllegalStateException if another receive task is waiting (two receivers)
     */
    final void registerReceiver(Object owner, Waker waker) {
        for (;;) {
            Waker current = (Waker) RX_WAKER.getVolatile(this);
            if (current != null && receiverOwner != owner && current != waker) {
                throw new IllegalStateException(
                        "a Channel has one receiver, and another receive is already waiting on it");
            }
            if (current == waker || RX_WAKER.compareAndSet(this, current, waker)) {
                break;
            }
        }
        receiverRegistered = waker;
        receiverOwner = owner;
    }

    /** Withdraws {@code owner}'s waker if it is still there (a completed or cancelled receive). */
    final void deregisterReceiver(Object owner) {
        if (receiverOwner == owner) {
            Waker waker = receiverRegistered;
            receiverOwner = null;
            receiverRegistered = null;
            RX_WAKER.compareAndSet(this, waker, null);
        }
    }

    /**
     * Wakes the waiting receiver from a send's poll ({@code cx}, or null outside one). In a
     * worker's poll, while another worker is parked or searching, the receiver goes to the back
     * of this worker's ring (notified as any ring push is), where that worker takes it, not to this worker's
     * LIFO slot (chan11k): a receiver waits only on an empty channel, where the senders are the
     * slow side, so it had better run beside the sender on the idle worker than after the
     * sender's poll on the sender's worker (which stops sending while it receives). With every
     * worker busy (four senders, say) the slot runs it next here, as before: from the ring it
     * would wait behind the queued senders while the channel fills. See
     * {@link PollEndDeferral#runWakingToIdleWorker}.
     */
    final void wakeReceiver(Context cx) {
        if (cx instanceof PollEndDeferral deferral) {
            deferral.runWakingToIdleWorker(wakeReceiverAction);
        } else {
            wakeReceiver();
        }
    }

    final void wakeReceiver() {
        Waker waker = (Waker) RX_WAKER.getVolatile(this);
        if (waker != null && RX_WAKER.compareAndSet(this, waker, null)) {
            waker.wake();
        }
    }
}

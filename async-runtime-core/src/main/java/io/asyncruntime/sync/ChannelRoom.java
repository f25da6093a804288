package io.asyncruntime.sync;

import io.asyncruntime.internal.scheduler.PollEndDeferral;
import io.asyncruntime.task.Context;

/**
 * The room of a {@link Channel}: one permit of a {@link BatchSemaphore} per message or
 * reservation in it, and how the receiver gives the room it frees back to the senders waiting for
 * it, in a batch (the deferred grant, issue 11). {@link Channel} extends it (split from it as a
 * pure move).
 */
abstract class ChannelRoom extends ChannelReceiverWaker {

    /** One permit per message or reservation in the channel. */
    final BatchSemaphore permits;

    /** The room: a bound, or {@link BatchSemaphore#MAX_PERMITS} for an unbounded channel. */
    final int capacity;
    final boolean bounded;

    /**
     * How much freed room the receiver gathers before it serves senders waiting for room during
     * one of its polls: half the capacity (at least 1). Whatever is left is served when the poll
     * ends; see {@link #giveBackRoom}.
     */
    private final int grantBatch;

    /** {@link BatchSemaphore#serveWaiters} of {@link #permits}, made once: the poll-end action. */
    private final Runnable serveWaiters;

    ChannelRoom(int capacity, boolean bounded, int grantBatch) {
        this.capacity = capacity;
        this.bounded = bounded;
        this.grantBatch = grantBatch;
        this.permits = new BatchSemaphore(capacity);
        this.serveWaiters = permits::serveWaiters;
    }

    /**
     * Gives {@code n} slots back. When sends wait for room, handing it to them (the waiters' lock,
     * a grant each, a wake each) is done once {@link #grantBatch} slots are free, or when the
     * receiver's poll ends, whichever comes first, not once per message: the receiver's poll may
     * take up to its budget's worth of messages, and the senders woken then find the room for many
     * sends, not one. The room is in the semaphore's word at once (the waiting sends' own: no
     * {@code send} or {@code trySend} overtakes them, and {@code trySend} serves them first
     * if it would otherwise fail). The poll's end is the latest point: the receiving task may
     * never receive again (it may wait for those very senders), so nothing is left owed after it.
     * Outside a worker's poll (no {@link PollEndDeferral}) the waiters are served at once.
     * In a worker's poll the senders woken go to the back of the worker's ring (with a
     * notification to a parked worker), not its LIFO slot, so that an idle worker may run them
     * beside the receiver ({@link PollEndDeferral#runWakingToRing}; chan11i).
     */
    final void giveBackRoom(int n, Context cx) {
        int owed = permits.releaseDeferringWaiters(n, grantBatch);
        if (owed == BatchSemaphore.NOTHING_OWED) {
            return;
        }
        if (cx instanceof PollEndDeferral deferral) {
            // Either way the woken senders go to the ring, not the LIFO slot (chan11i): an idle
            // worker may run them beside this receiver, instead of after its poll.
            if (owed == BatchSemaphore.OWED_NOW || !deferral.runAtPollEnd(serveWaiters)) {
                deferral.runWakingToRing(serveWaiters);
            }
        } else {
            permits.serveWaiters();
        }
    }

    final boolean isClosedAndDrained() {
        // All permits back: no message in the queue, none being pushed, no reservation left.
        return permits.isClosedWithAll(capacity);
    }
}

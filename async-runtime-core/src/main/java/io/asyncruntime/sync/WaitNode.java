package io.asyncruntime.sync;

import io.asyncruntime.task.Waker;

/**
 * A waiting task's place in a {@link WaitList}: the waiting task object itself extends this, so
 * waiting allocates no node of its own (Tokio's intrusive waiter lists, for the same reason).
 *
 * <p>Every field is guarded by the lock of the list the node is in. After the node is unlinked
 * and put on the list's wake chain, only the thread that unlinked it touches {@link #waker} and
 * {@link #wakeNext}, after it released the lock.
 */
abstract class WaitNode {

    /** Links in the wait queue; null when not linked. */
    WaitNode prev;
    WaitNode next;
    /** Whether the node is in the wait queue. */
    boolean linked;
    /** The waker to call when the node is released from the queue. */
    Waker waker;
    /** Link in the chain of nodes to wake once the lock is released. */
    WaitNode wakeNext;
}

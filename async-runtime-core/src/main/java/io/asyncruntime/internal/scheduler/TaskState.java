package io.asyncruntime.internal.scheduler;

/**
 * The bits of a task cell's state word (one {@code int}, updated only by CAS, and by the owner's
 * atomic adds: the one that starts a poll, and the one that counts the polls of a yield-queued task).
 *
 * <pre>
 *   NOTIFIED  the task is queued, or must be queued once the poll in progress returns
 *   RUNNING   a thread owns the task: polling it, or cancelling it; acts as the lock on the task.
 *             Also set while the task is yield-queued: its owner re-queued it after a poll that
 *             yielded without releasing it, and ownership passes to whoever takes it off the
 *             queue (the queue's release/acquire orders the hand-over). Nothing in the word
 *             tells the two apart; the cell's plain poll stamp carries a mark
 *             (TaskCell.YIELD_QUEUED) that the dump reads and the taker checks. The taker counts
 *             the poll in the poll stamp's few uncounted-poll bits (TaskCell.UNCOUNTED_POLLS),
 *             and with one atomic add on this word only when those are full; every transition
 *             of the owner folds them in, so a task's poll count is exact whenever it is not
 *             RUNNING
 *   COMPLETE  the outcome is published; terminal
 *   CANCELLED abort was requested; the owner cancels the task at the next poll boundary
 *   FUTURE_CANCELLED  Future.cancel returned true (with CANCELLED): the outcome will be a
 *             cancellation even if the poll in progress returns ready or throws
 * </pre>
 *
 * Invariants, each kept by one transition:
 * <ul>
 *   <li>Only the CAS that sets NOTIFIED on a task that is neither RUNNING nor NOTIFIED nor
 *       COMPLETE may enqueue it, or its owner re-queueing it after a poll that yielded (keeping
 *       RUNNING, which keeps every waker from enqueuing it), so a task is in at most one queue
 *       at a time.</li>
 *   <li>Only the transition that clears NOTIFIED and sets RUNNING may poll it, or taking a
 *       yield-queued task off its queue (one owner re-queued it once, so one taker gets it), so it
 *       is never polled by two threads at once. That transition is an atomic add by the thread
 *       that took the queued cell (TaskCell.takeOwnership): from the dequeue on, NOTIFIED, RUNNING,
 *       COMPLETE and the poll count change only by its hand, and others only set CANCELLED or
 *       FUTURE_CANCELLED, which the add leaves as they are.</li>
 *   <li>A wake while RUNNING only sets NOTIFIED; the owner re-queues after the poll returns
 *       pending, so a wake during a poll is never lost and never causes a second concurrent poll
 *       (the first lesson of ARCHITECTURE.md).</li>
 *   <li>COMPLETE is set once, by the owner, after the outcome is written; nothing polls after.</li>
 * </ul>
 */
final class TaskState {

    static final int NOTIFIED = 1;
    static final int RUNNING = 1 << 1;
    static final int COMPLETE = 1 << 2;
    static final int CANCELLED = 1 << 3;
    /**
     * {@code Future.cancel} succeeded: its contract ({@code isDone()} and {@code isCancelled()}
     * true from its return on) rules out the value of a poll in progress winning, as it may after
     * a plain abort (Tokio's rule, kept by {@code JoinHandle.abort}). Set only with CANCELLED, by
     * the CAS that fails on COMPLETE, so either the cancel or the completion came first.
     */
    static final int FUTURE_CANCELLED = 1 << 8;

    /** The five flag bits above; the lane and kind bits never change after construction. */
    static final int FLAGS = NOTIFIED | RUNNING | COMPLETE | CANCELLED | FUTURE_CANCELLED;
    /**
     * Bits 4-5 hold the task's lane and bits 6-7 what its body is ({@code TaskCell.TASK} …): set
     * once at construction, carried unchanged by every transition, so the cell needs no fields
     * for them (it stays at 32 bytes).
     */
    static final int LANE_SHIFT = 4;
    static final int KIND_SHIFT = 6;
    private static final int TWO_BITS = 0b11;
    /**
     * Bits 9-31 count the task's polls for task dumps, saturating at {@link #MAX_POLLS}. The count
     * rides on the atomic add that starts each poll (NOTIFIED to RUNNING), so it costs no extra write;
     * every other transition carries it unchanged.
     */
    static final int POLLS_SHIFT = 9;
    static final int ONE_POLL = 1 << POLLS_SHIFT;
    static final int POLLS_MASK = ~0 << POLLS_SHIFT;
    /** The largest poll count the state word can show (2^23 - 1); more polls leave it there. */
    static final int MAX_POLLS = POLLS_MASK >>> POLLS_SHIFT;

    /** A freshly spawned task is queued at once. */
    static int initial(int lane, int kind) {
        return NOTIFIED | (lane << LANE_SHIFT) | (kind << KIND_SHIFT);
    }

    static int lane(int state) {
        return (state >>> LANE_SHIFT) & TWO_BITS;
    }

    static int kind(int state) {
        return (state >>> KIND_SHIFT) & TWO_BITS;
    }

    /** Polls started so far (saturating at {@link #MAX_POLLS}). */
    static int polls(int state) {
        return state >>> POLLS_SHIFT;
    }

    /** {@code state} with one more poll counted, unless the count is saturated. */
    static int countPoll(int state) {
        return (state & POLLS_MASK) == POLLS_MASK ? state : state + ONE_POLL;
    }

    /** {@code state} with {@code polls} (>= 0) more polls counted, saturating at {@link #MAX_POLLS}. */
    static int countPolls(int state, int polls) {
        int counted = Math.min(polls(state) + polls, MAX_POLLS); // no overflow: both are below 2^23
        return (state & ~POLLS_MASK) | (counted << POLLS_SHIFT);
    }

    private TaskState() {
    }

    static boolean isComplete(int state) {
        return (state & COMPLETE) != 0;
    }

    static String describe(int state) {
        if ((state & COMPLETE) != 0) {
            return (state & CANCELLED) != 0 ? "cancelled" : "complete";
        }
        if ((state & RUNNING) != 0) {
            return "running or yield-queued";
        }
        if ((state & NOTIFIED) != 0) {
            return "scheduled";
        }
        return "idle";
    }
}

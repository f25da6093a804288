package io.asyncruntime.internal.scheduler;

/**
 * A task cell's bookkeeping for the live-task registry and the task dump: its registry link, its
 * spawn and poll stamps, and the poll count, kept partly in the poll stamp's uncounted-poll bits
 * and partly in the state word ({@link #takeOwnership}, {@link #addPolls}). {@link TaskCell} adds
 * the task and its polls. The split keeps one idea per file; a spawn is still one object (this
 * class adds the three fields {@link TaskCell}'s comment counts in its 48 bytes).
 *
 * <p>Invariant: {@link #pollStamp}'s uncounted-poll bits and {@link #YIELD_QUEUED} are written
 * only by the thread that holds RUNNING (or takes it, {@link #takeOwnership}); a task dump reads
 * the fields racily (an int is never torn).
 */
abstract class StampedCell<T> extends CancellableCell<T> {

    StampedCell(int state) {
        super(state);
    }

    /**
     * The live-task registry's link (see {@link TaskShard}): written only under the shard's lock,
     * but for the marks a spawner writes before publishing the cell ({@link LazyLink#UNLINKED},
     * a worker's spawn until its first pending return; the cell itself, a spawn from outside
     * until it is taken out of the inject queue, {@link QueuedSpawns}).
     * With the two stamps below it takes the cell from 32 to 48 bytes (44, aligned to 8), the
     * budget issue 10 set.
     */
    TaskCell<?> registryNext;
    /**
     * When the task was spawned, in units of {@link TaskRegistry#SPAWN_STAMP_SHIFT} of the
     * registry's coarse clock (~16.8 ms; an int lasts 2.28 years), and when its last poll started,
     * in units of {@link TaskRegistry#POLL_STAMP_SHIFT} (also ~16.8 ms; wraps after ~52 days).
     * Plain fields: written by the spawner, then by the thread holding RUNNING; a task dump reads
     * them racily, and an int is never torn.
     *
     * <p>The poll stamp keeps 28 bits ({@link #POLL_STAMP_MASK}; in units of 2^24 ns it wraps
     * after ~52 days, the horizon {@code TaskDump.TaskInfo.sinceLastPoll} documents). Its top bit
     * is {@link #YIELD_QUEUED}, set by the owner just before it re-queues the cell after a yield
     * (the queue's release publishes it to the taker) and cleared by the taker's stamp at the
     * poll's start. It tells a yield-queued cell (RUNNING kept, see TaskState) from one being
     * polled, for the dump, and lets a taker that finds RUNNING without it fail loudly, as a cell
     * queued twice would. Bits 28-30, {@link #UNCOUNTED_POLLS}, count the polls of yield-queued
     * takes that the state word does not show yet (see {@link #run}).
     */
    int spawnStamp;
    int pollStamp;

    /** The top bit of {@link #pollStamp}: the cell waits in a queue after a yield. */
    static final int YIELD_QUEUED = 0x8000_0000;
    /** The bits of {@link #pollStamp} that hold the stamp. */
    static final int POLL_STAMP_MASK = 0x0FFF_FFFF;
    /**
     * Bits 28-30 of {@link #pollStamp}: polls started by yield-queued takes and not yet added to
     * the state word's count (0 to {@link #MAX_UNCOUNTED_POLLS}). Written only by the thread
     * holding RUNNING, folded into the count by its next transition of the word (release,
     * completion, or a take of a woken yield-queued cell), and when full, by one atomic add.
     */
    static final int UNCOUNTED_POLLS = 0x7000_0000;
    static final int UNCOUNTED_SHIFT = 28;
    static final int MAX_UNCOUNTED_POLLS = UNCOUNTED_POLLS >>> UNCOUNTED_SHIFT;

    /**
     * NOTIFIED → RUNNING for a cell queued by a wake or a spawn; or, for a yield-queued cell woken
     * since (RUNNING | NOTIFIED), clears NOTIFIED: this poll is the one the wake asked for. The
     * poll count rides on the same atomic (see TaskState.POLLS_SHIFT), with the polls a yield-queued
     * cell had not counted yet (the caller's stamp then starts with none). Returns the state it
     * replaced.
     *
     * <p>One atomic add, no compare-and-swap loop. The caller took the cell off a queue, so from
     * the read of {@code s} on, NOTIFIED, RUNNING, COMPLETE and the poll count are its own: only the
     * taker of a queued cell clears NOTIFIED (a wake finds it set and writes nothing), and only the
     * owner sets RUNNING or COMPLETE or counts polls (TaskState's invariants). Others can only set
     * CANCELLED or FUTURE_CANCELLED meanwhile, bits the add leaves alone: NOTIFIED - 1 clears bit 0
     * with no borrow, RUNNING is added only where it is clear (no carry), and the count is added
     * only while it cannot pass {@link TaskState#MAX_POLLS} (else the saturating CAS of
     * {@link #addPolls}). So the delta worked out from {@code s} is exact against whatever the word
     * holds when the add lands, and the marks set meanwhile are kept for the check after it.
     */
    final int takeOwnership(int s) {
        if ((s & TaskState.COMPLETE) != 0 || (s & TaskState.NOTIFIED) == 0
                || ((s & TaskState.RUNNING) != 0 && (TaskState.kind(s) != TaskCell.TASK || (pollStamp & YIELD_QUEUED) == 0))) {
            throw new IllegalStateException("task cell dequeued in state " + TaskState.describe(s));
        }
        int polls = 1 + uncountedPolls(); // 0 uncounted unless yield-queued: every release folds them
        if (polls > 1) {
            pollStamp &= ~UNCOUNTED_POLLS; // ours (yield-queued: RUNNING is kept); cleared before the fold, as in run
        }
        int flags = (s & TaskState.RUNNING) != 0 ? -TaskState.NOTIFIED : TaskState.RUNNING - TaskState.NOTIFIED;
        int previous = addPolls(s, flags, polls);
        if (((previous ^ s) & ~(TaskState.CANCELLED | TaskState.FUTURE_CANCELLED)) != 0) {
            throw new IllegalStateException("task cell changed under its dequeuer: state "
                    + TaskState.describe(previous) + " (" + previous + "), read as " + s);
        }
        return previous;
    }

    /** The polls of yield-queued takes the state word does not show yet; the owner's, or a racy read. */
    final int uncountedPolls() {
        return (pollStamp & UNCOUNTED_POLLS) >>> UNCOUNTED_SHIFT;
    }

    /**
     * Owner only, holding RUNNING or taking it: adds {@code polls} to the word's count and
     * {@code flags} (a change of the owner's own bits, see {@link #takeOwnership}, or 0) with one
     * atomic add (exact: only the owner changes those, so {@code s} shows them), or saturates the
     * count by CAS when it would pass {@link TaskState#MAX_POLLS}. Returns the state before the update.
     */
    final int addPolls(int s, int flags, int polls) {
        if (TaskState.polls(s) <= TaskState.MAX_POLLS - polls) {
            return (int) STATE.getAndAdd(this, flags + (polls << TaskState.POLLS_SHIFT));
        }
        for (;;) {
            int witness = (int) STATE.compareAndExchange(this, s, TaskState.countPolls(s + flags, polls));
            if (witness == s) {
                return s;
            }
            s = witness;
        }
    }
}

package io.asyncruntime.task;

/**
 * {@link JoinSet#shutdown()}: abort everything once, then take finished entries until none is held.
 * From its first poll until it ends it counts in the set's {@code draining}, so tasks spawned
 * meanwhile are aborted as they are spawned.
 */
final class JoinSetDrain<T> extends JoinSetAwait<Void> {
    private final JoinSet<T> set;
    private boolean aborted;
    private boolean ended;
    /**
     * The finished entry whose handle this drain waits on: its task said it finished, but the
     * handle completes only after that poll has returned to its worker. Put back if this drain
     * is cancelled.
     */
    private JoinSet.Entry<T> taken;

    JoinSetDrain(JoinSet<T> set) {
        super(set.waiters);
        this.set = set;
    }

    @Override
    public Poll<Void> poll(Context cx) {
        if (!aborted) {
            aborted = true;
            set.draining.incrementAndGet(); // before the walk: see JoinSet.draining
            set.abortAll();
        }
        for (;;) {
            if (!discardFinishedOnceDone(cx)) {
                return Poll.pending(); // the handle a moment behind wakes this task
            }
            if (set.held.isEmpty()) {
                unregister();
                end();
                return Poll.ready(null);
            }
            register(cx);
            if (set.finished.isEmpty() && !set.held.isEmpty()) {
                return Poll.pending();
            }
        }
    }

    /**
     * Takes every finished entry out of the set (results discarded), each once its handle is
     * done: when the drain completes, every handle the set's spawns returned is done (close10:
     * it completed while the last one was a moment behind). False while a handle is still
     * behind (polling it registered this task's waker there, or the budget asked for a yield).
     */
    private boolean discardFinishedOnceDone(Context cx) {
        for (;;) {
            if (taken == null) {
                taken = set.finished.poll();
                if (taken == null) {
                    return true;
                }
            }
            // A done handle is discarded without a poll: its outcome may be any Throwable
            // (review23: an Error failed the drain and left the set stuck), and a poll would
            // spend the budget on a result nobody reads.
            if (!taken.handle.isDone()) {
                Poll<?> result;
                try {
                    result = taken.handle.poll(cx); // registers this task's waker while behind
                } catch (Throwable failedOrCancelled) {
                    result = null; // a handle throws only once done: discarded with the others
                }
                if (result != null && result.isPending()) {
                    return false;
                }
            }
            set.leave(taken);
            taken = null;
        }
    }

    @Override
    void onCancel() {
        JoinSet.Entry<T> entry = taken;
        if (entry != null) {
            taken = null;
            set.finished.add(entry); // not discarded after all: a join or another drain gets it
            set.waiters.wakeAll();
        }
        end();
    }

    /** The drain is over (done or cancelled): spawns no longer abort. Once. */
    private void end() {
        if (aborted && !ended) {
            ended = true;
            set.draining.decrementAndGet();
        }
    }
}

package io.asyncruntime.task;

import java.util.NoSuchElementException;

/**
 * {@link JoinSet#joinNext()}: takes the next finished entry of the set and returns its task's
 * outcome once the entry's handle is done. An entry it took and has not returned yet is put back
 * if the join is cancelled, so no result is lost.
 */
final class JoinNext<T> extends JoinSetAwait<T> {
    private final JoinSet<T> set;
    /**
     * The entry this join took and has not returned yet: its task said it finished, but its
     * handle was not complete yet, or the awaiting task's budget was spent. Put back if this
     * join is cancelled, so no result is lost.
     */
    private JoinSet.Entry<T> taken;

    JoinNext(JoinSet<T> set) {
        super(set.waiters);
        this.set = set;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        for (;;) {
            if (taken == null) {
                taken = set.finished.poll();
            }
            if (taken != null) {
                Poll<? extends T> result;
                try {
                    result = taken.handle.poll(cx); // ready or failed, unless the handle is a moment behind
                } catch (Throwable failure) { // an Error the task failed with, too (review23)
                    release(taken);
                    throw failure;
                }
                if (result.isPending()) {
                    return Poll.pending(); // the handle wakes this task (or the budget asked for a yield)
                }
                release(taken);
                return Poll.ready(result.value());
            }
            if (set.held.isEmpty()) {
                unregister();
                throw new NoSuchElementException("joinNext() on an empty JoinSet: every task was already joined");
            }
            register(cx);
            // Re-check after registering: a task that finished before the push woke nobody.
            if (set.finished.isEmpty() && !set.held.isEmpty()) {
                return Poll.pending();
            }
        }
    }

    /** The result of {@code entry} is being returned: the entry leaves the set. */
    private void release(JoinSet.Entry<T> entry) {
        taken = null;
        unregister();
        set.leave(entry);
    }

    @Override
    void onCancel() {
        JoinSet.Entry<T> entry = taken;
        if (entry != null) {
            taken = null;
            set.finished.add(entry); // not joined after all: another join gets it
            set.waiters.wakeAll();
        }
    }
}

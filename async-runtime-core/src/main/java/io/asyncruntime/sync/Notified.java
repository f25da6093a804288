package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;

/**
 * {@link Notify#notified()}: a wait for a notification, which is its own node in the notify's
 * queue. {@link #phase} moves INIT → (WAITING →) NOTIFIED_ONE / NOTIFIED_ALL → DONE, or to
 * CANCELLED; the notifier sets NOTIFIED_* under the lock, in the same critical section that
 * unlinks the node.
 */
final class Notified extends WaitNode implements Task<Void> {

    static final int INIT = 0;
    static final int WAITING = 1;
    static final int NOTIFIED_ONE = 2;
    static final int NOTIFIED_ALL = 3;
    static final int DONE = 4;
    static final int CANCELLED = 5;

    private final Notify notify;
    /** The notifyAllWaiters generation when this wait was created: a later call completes it. */
    private final long generation;
    volatile int phase;

    Notified(Notify notify, long generation) {
        this.notify = notify;
        this.generation = generation;
    }

    @Override
    public Poll<Void> poll(Context cx) {
        switch (phase) {
            case INIT:
                return first(cx);
            case WAITING:
                Waker waker = cx.waker();
                if (this.waker != waker) {
                    notify.waiters.lock();
                    if (phase == WAITING) {
                        this.waker = waker;
                        notify.waiters.unlock();
                        return Poll.pending();
                    }
                    notify.waiters.unlock();
                    return poll(cx); // notified meanwhile
                }
                return Poll.pending();
            case NOTIFIED_ONE:
            case NOTIFIED_ALL:
                return finish(cx);
            default:
                throw new IllegalStateException("a finished Notify wait was polled again");
        }
    }

    private Poll<Void> first(Context cx) {
        long s = notify.state();
        for (;;) {
            if ((s & ~Notify.STATE_MASK) != generation) {
                phase = NOTIFIED_ALL;
                return finish(cx);
            }
            if ((s & Notify.STATE_MASK) != Notify.NOTIFIED) {
                break;
            }
            if (notify.compareAndSetState(s, (s & ~Notify.STATE_MASK) | Notify.EMPTY)) {
                phase = NOTIFIED_ONE; // the stored permit is ours
                return finish(cx);
            }
            s = notify.state();
        }
        WaitList waiters = notify.waiters;
        waiters.lock();
        for (;;) {
            s = notify.state();
            if ((s & ~Notify.STATE_MASK) != generation) {
                waiters.unlock();
                phase = NOTIFIED_ALL;
                return finish(cx);
            }
            long current = s & Notify.STATE_MASK;
            if (current == Notify.NOTIFIED) {
                if (notify.compareAndSetState(s, (s & ~Notify.STATE_MASK) | Notify.EMPTY)) {
                    waiters.unlock();
                    phase = NOTIFIED_ONE;
                    return finish(cx);
                }
                continue;
            }
            if (current == Notify.EMPTY
                    && !notify.compareAndSetState(s, (s & ~Notify.STATE_MASK) | Notify.WAITING)) {
                continue; // a notify outside the lock changed the word
            }
            break;
        }
        this.waker = cx.waker();
        phase = WAITING;
        waiters.pushBack(this);
        waiters.unlock();
        return Poll.pending();
    }

    private Poll<Void> finish(Context cx) {
        if (!cx.consumeBudget()) {
            return Poll.pending(); // stays notified; the next poll completes
        }
        phase = DONE;
        return Poll.ready(null);
    }

    @Override
    public void cancel() {
        int p = phase;
        if (p == WAITING) {
            WaitList waiters = notify.waiters;
            waiters.lock();
            if (phase == WAITING) {
                waiters.unlink(this);
                waker = null;
                phase = CANCELLED;
                if (waiters.isEmpty()) {
                    long s = notify.state();
                    notify.setStateUnderLock((s & ~Notify.STATE_MASK) | Notify.EMPTY);
                }
                waiters.unlock();
                return;
            }
            waiters.unlock();
            p = phase;
        }
        phase = CANCELLED;
        if (p == NOTIFIED_ONE) {
            notify.notifyOne(); // picked but never seen: pass the notification on
        }
    }

    @Override
    public String toString() {
        return "Notify.notified()";
    }
}

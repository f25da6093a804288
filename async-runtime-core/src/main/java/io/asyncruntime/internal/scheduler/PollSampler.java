package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sampling of poll times and schedule latencies for any number of {@link Listener}s, each at its
 * own interval (one per scheduler; the per-worker countdowns are in {@link WorkerSampling}).
 *
 * <p><b>Rates.</b> The workers sample at the smallest interval asked for, {@link #baseInterval};
 * a listener that asked for a larger one gets each sample with probability {@code base / its
 * own}, so each listener sees about one poll in its interval. A countdown never runs longer than
 * {@link #RECHECK} before its worker re-reads the base interval; an interval above it is reached
 * by sampling at a countdown's end with probability {@code RECHECK / interval}. So a change of
 * listeners takes effect within {@code RECHECK} polls on every worker.
 *
 * <p><b>Cost.</b> With no listener (the default), a poll pays one decrement and an opaque read of
 * {@link #timed}, which stays null; a local schedule one decrement. With one, one poll in the
 * base interval also reads the clock twice and calls the listeners, and one schedule in it
 * checks the followed slot; only if nothing is followed any more does it read the clock and
 * publish a {@link Timed} (a small allocation).
 *
 * <p><b>Schedule latency</b> follows one task at a time per runtime: a sampled schedule publishes
 * the task with its queueing time in {@link #timed} if nothing is followed, or if what is followed
 * has finished without being polled (cancelled in its queue), and whichever worker next polls
 * that task, after a steal or not, records the wait and clears the slot. A task that waits long
 * is followed until its poll, however long: the waits the timer is there to show are not cut
 * short. The cell carries no timestamp (the idle-task footprint stays as it is) and only sampled
 * schedules write shared state. Each poll compares its task with the slot: an opaque load of a
 * line that changes once per sample. One task at a time means that under a burst of long waits
 * fewer schedules are sampled: the distribution leans to the short waits of quieter moments.
 */
public final class PollSampler {

    /**
     * Where samples go: the public {@code io.asyncruntime.PollSampleListener}, adapted by the
     * runtime (this package must not depend on the root package). Called on worker threads.
     */
    public interface Listener {
        /** One sampled poll took {@code nanos} on worker {@code worker}. */
        void pollTime(int worker, long nanos);

        /** One sampled task waited {@code nanos} between being queued and its poll. */
        void scheduleLatency(long nanos);
    }

    private static final Logger log = LoggerFactory.getLogger(PollSampler.class);
    private static final VarHandle TIMED;

    static {
        try {
            TIMED = MethodHandles.lookup().findVarHandle(PollSampler.class, "timed", Timed.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Longest countdown: every this many polls (and local schedules) a worker re-reads the base interval. */
    static final int RECHECK = 4096;
    /** A followed task that is not a cell, not polled for this long, is taken as gone. */
    private static final long FOREIGN_TASK_ABANDONED_NANOS = 10_000_000_000L;

    /** A sampled task and when it was queued. */
    private record Timed(ScheduledTask task, long queuedAt) {
    }

    /** A listener, its interval and whether its failure was logged. */
    private static final class Subscriber {
        final Listener listener;
        final int oneIn;
        volatile boolean failureLogged;

        Subscriber(Listener listener, int oneIn) {
            this.listener = listener;
            this.oneIn = oneIn;
        }
    }

    private static final Subscriber[] NONE = new Subscriber[0];

    /** Copy-on-write under {@code this}; read by workers at each sample. */
    private volatile Subscriber[] subscribers = NONE;
    /** The smallest interval of the subscribers; {@link Integer#MAX_VALUE} with none. */
    private volatile int baseInterval = Integer.MAX_VALUE;
    /** The task whose schedule latency is being followed; through {@link #TIMED}. */
    @SuppressWarnings("unused")
    private Timed timed;

    /** Adds {@code listener} at one sample in {@code oneIn}; returns what {@link #remove} takes. */
    synchronized Object add(int oneIn, Listener listener) {
        Subscriber added = new Subscriber(listener, oneIn);
        Subscriber[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
        grown[grown.length - 1] = added;
        publish(grown);
        return added;
    }

    /** Removes what {@link #add} returned; a second call does nothing. */
    synchronized void remove(Object subscription) {
        Subscriber[] current = subscribers;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == subscription) {
                Subscriber[] shrunk = new Subscriber[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, shrunk.length - i);
                publish(shrunk);
                return;
            }
        }
    }

    private void publish(Subscriber[] now) {
        int base = Integer.MAX_VALUE;
        for (Subscriber s : now) {
            base = Math.min(base, s.oneIn);
        }
        subscribers = now; // first: a worker that sees the new interval finds the subscribers
        baseInterval = base;
        if (now.length == 0) {
            TIMED.setRelease(this, null);
        }
    }

    /**
     * The next countdown of a worker, and whether the countdown that just ended takes a sample
     * (the sign bit: negative means sample). Intervals above {@link #RECHECK} are reached by
     * chance at each recheck.
     */
    int nextCountdown() {
        int base = baseInterval;
        if (base == Integer.MAX_VALUE) {
            return RECHECK; // none: a recheck, no sample
        }
        if (base <= RECHECK) {
            return -base;
        }
        boolean sample = ThreadLocalRandom.current().nextInt(base) < RECHECK;
        return sample ? -RECHECK : RECHECK;
    }

    /** A schedule chosen for sampling: follow {@code task} unless another is still followed. */
    void followSchedule(ScheduledTask task) {
        if (subscribers.length == 0) {
            return;
        }
        Timed current = (Timed) TIMED.getOpaque(this);
        if (current != null && !gone(current)) {
            return; // one task at a time: no clock read while the followed one is on its way
        }
        TIMED.compareAndSet(this, current, new Timed(task, System.nanoTime()));
    }

    /** Whether a followed task will never be polled: it finished in its queue (cancelled). */
    private static boolean gone(Timed followed) {
        if (followed.task instanceof TaskCell<?> cell) {
            return cell.isDone();
        }
        return System.nanoTime() - followed.queuedAt > FOREIGN_TASK_ABANDONED_NANOS;
    }

    /**
     * A schedule that did not happen after all ({@code task} was refused before it was queued):
     * stops following it if it is the one followed, else it would never be polled and never be
     * done, and hold the slot for good (review24).
     */
    void unfollow(ScheduledTask task) {
        Timed current = (Timed) TIMED.getOpaque(this);
        if (current != null && current.task == task) {
            TIMED.compareAndSet(this, current, null);
        }
    }

    /** A schedule from a thread that is not a worker: sampled at random (no shared countdown to write). */
    void onRemoteSchedule(ScheduledTask task) {
        int base = baseInterval;
        if (base != Integer.MAX_VALUE && ThreadLocalRandom.current().nextInt(base) == 0) {
            followSchedule(task);
        }
    }

    /** At the start of every poll: if {@code task} is the one followed, its wait ends now. */
    void onPollStart(ScheduledTask task) {
        Timed current = (Timed) TIMED.getOpaque(this);
        if (current != null && current.task == task) {
            followedPollStarts(current);
        }
    }

    /** The followed task's poll starts: its wait ends, unless another worker's poll ended it first. Out of line (issue 14). */
    private void followedPollStarts(Timed current) {
        if (TIMED.compareAndSet(this, current, null)) {
            long waited = Math.max(0, System.nanoTime() - current.queuedAt);
            int base = baseInterval;
            for (Subscriber s : subscribers) {
                if (takes(s, base)) {
                    try {
                        s.listener.scheduleLatency(waited);
                    } catch (RuntimeException | Error e) {
                        failed(s, e);
                    }
                }
            }
        }
    }

    /** A sampled poll on {@code worker} took {@code nanos}. */
    void recordPoll(int worker, long nanos) {
        long time = Math.max(0, nanos);
        int base = baseInterval;
        for (Subscriber s : subscribers) {
            if (takes(s, base)) {
                try {
                    s.listener.pollTime(worker, time);
                } catch (RuntimeException | Error e) {
                    failed(s, e);
                }
            }
        }
    }

    /** Whether {@code s} takes a sample made at the base interval: always at its own rate, else by chance. */
    private static boolean takes(Subscriber s, int base) {
        return s.oneIn <= base || ThreadLocalRandom.current().nextInt(s.oneIn) < base;
    }

    /** Logs a listener's first failure; later ones only lose their sample (a broken listener must not flood the log). */
    private static void failed(Subscriber s, Throwable e) {
        if (!s.failureLogged) {
            s.failureLogged = true;
            log.warn("poll sample listener {} threw; its samples are dropped while it throws (logged once)",
                    s.listener, e);
        }
    }
}

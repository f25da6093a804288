package io.asyncruntime.internal.scheduler;

import io.asyncruntime.PollSampleListener;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sampling of poll times and schedule latencies for a {@link PollSampleListener} (one per
 * scheduler; the per-worker countdowns are in {@link WorkerSampling}).
 *
 * <p><b>Cost.</b> Off (the default), a poll pays one decrement and an opaque read of
 * {@link #timed}, which stays null; a local schedule one decrement. On, one poll in
 * {@link #oneIn} also reads the clock twice and calls the listener, and one schedule in
 * {@code oneIn} reads the clock and may publish a {@link Timed} (a small allocation).
 *
 * <p><b>Schedule latency</b> follows one task at a time per runtime: a sampled schedule publishes
 * the task with its queueing time in {@link #timed} if nothing is being followed (or what is has
 * waited over {@link #ABANDONED_NANOS}, a task cancelled in its queue), and whichever worker next
 * polls that task, after a steal or not, records the wait and clears the slot. So the cell carries
 * no timestamp (the idle-task footprint stays as it is) and only sampled schedules write shared
 * state. Each poll compares its task with the slot: an opaque load of a line that changes once
 * per sample.
 */
final class PollSampler {

    private static final Logger log = LoggerFactory.getLogger(PollSampler.class);
    private static final VarHandle TIMED;

    static {
        try {
            TIMED = MethodHandles.lookup().findVarHandle(PollSampler.class, "timed", Timed.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Countdown while sampling is off: every this many polls (and local schedules) a worker
     * re-reads the interval, so that {@link #start} takes effect within that many.
     */
    static final int OFF = 4096;
    /** A followed task not polled within a second is assumed gone (cancelled while queued). */
    private static final long ABANDONED_NANOS = 1_000_000_000L;

    /** A sampled task and when it was queued. */
    private record Timed(ScheduledTask task, long queuedAt) {
    }

    /** Null when sampling is off. Read by workers at each sample; written by {@link #start}. */
    private volatile PollSampleListener listener;
    /** Sample one in this many polls and schedules; {@link #OFF} (a re-check interval) when off. */
    private volatile int oneIn = OFF;
    /** The task whose schedule latency is being followed; through {@link #TIMED}. */
    @SuppressWarnings("unused")
    private Timed timed;

    /** Whether a failure of the current listener was logged: the first is, the rest are dropped quietly. */
    private volatile boolean failureLogged;

    /** Starts (or changes) sampling; a null listener stops it. */
    void start(int oneIn, PollSampleListener listener) {
        this.failureLogged = false;
        this.listener = listener; // first: a worker that sees the new interval finds the listener
        this.oneIn = listener == null ? OFF : oneIn;
        if (listener == null) {
            TIMED.setRelease(this, null);
        }
    }

    /** The countdown a worker restarts from after a sample. */
    int oneIn() {
        return oneIn;
    }

    boolean isOn() {
        return listener != null;
    }

    /** A schedule chosen for sampling: follow {@code task} unless another is still followed. */
    void followSchedule(ScheduledTask task) {
        if (listener == null) {
            return; // off: the countdown only came round to re-read the interval
        }
        long now = System.nanoTime();
        Timed current = (Timed) TIMED.getOpaque(this);
        if (current == null || now - current.queuedAt > ABANDONED_NANOS) {
            TIMED.compareAndSet(this, current, new Timed(task, now));
        }
    }

    /** A schedule from a thread that is not a worker: sampled at random (no shared countdown to write). */
    void onRemoteSchedule(ScheduledTask task) {
        if (listener != null && ThreadLocalRandom.current().nextInt(oneIn) == 0) {
            followSchedule(task);
        }
    }

    /** At the start of every poll: if {@code task} is the one followed, its wait ends now. */
    void onPollStart(ScheduledTask task) {
        Timed current = (Timed) TIMED.getOpaque(this);
        if (current != null && current.task == task && TIMED.compareAndSet(this, current, null)) {
            long waited = System.nanoTime() - current.queuedAt;
            PollSampleListener l = listener;
            if (l != null) {
                try {
                    l.scheduleLatency(Math.max(0, waited));
                } catch (RuntimeException | Error e) {
                    failed(l, e);
                }
            }
        }
    }

    /** A sampled poll on {@code worker} took {@code nanos}. */
    void recordPoll(int worker, long nanos) {
        PollSampleListener l = listener;
        if (l != null) {
            try {
                l.pollTime(worker, Math.max(0, nanos));
            } catch (RuntimeException | Error e) {
                failed(l, e);
            }
        }
    }

    /** Logs a listener's first failure; later ones only lose their sample (a broken listener must not flood the log). */
    private void failed(PollSampleListener l, Throwable e) {
        if (!failureLogged) {
            failureLogged = true;
            log.warn("poll sample listener {} threw; its samples are dropped while it throws (logged once)", l, e);
        }
    }
}

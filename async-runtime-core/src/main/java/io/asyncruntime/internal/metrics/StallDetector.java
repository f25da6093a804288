package io.asyncruntime.internal.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a worker that stays inside one poll longer than the threshold (blocking code on a
 * worker: JDBC, a {@code synchronized} client, {@code Thread.sleep}), tells the scheduler so the
 * other workers take what the worker holds, and reports it once.
 *
 * <h2>How</h2>
 * <ul>
 *   <li><b>One thread, its own clock.</b> A daemon thread wakes every {@link #periodNanos} (a
 *       quarter of the threshold) and reads each worker's poll stamp ({@link StallTarget#pollStamp}).
 *       It does not use the runtime's timers: a stall is exactly what delays them. Cost on the
 *       workers: one opaque store of the stamp per poll; cost here: a few reads per worker per
 *       period.</li>
 *   <li><b>A stall</b> is a stamp, not {@link StallTarget#PARKED}, that has not changed for at
 *       least the threshold, not counting the garbage collectors' pauses in that time
 *       ({@link GcPauses}): a stop-the-world collection freezes every thread and is not the
 *       task's fault. The time counts from the first sample that saw the stamp, so a stall is
 *       noticed between one threshold and one threshold plus one period after its poll began.</li>
 *   <li><b>When the detector itself was paused</b> (it woke much later than it asked: a pause of
 *       the whole process that no GC bean counted, a safepoint, a suspended VM), it restarts every
 *       worker's timing instead of blaming the workers.</li>
 *   <li><b>The driver is attended.</b> A sample that finds a worker in the same poll as the
 *       sample before (a poll of at least one period) asks the scheduler to make sure somebody
 *       attends the timer and I/O driver ({@link StallTarget#attendDriver}): the worker that
 *       last left it may be the one stuck, while the others sleep on their own parkers. So a
 *       blocked worker delays timers and sockets by at most about two periods (50 ms at the
 *       default threshold), well before it counts as a stall. Cost: one volatile read per
 *       period while a poll is that long, a wake only when the driver is unattended.</li>
 *   <li><b>Once per poll.</b> A stall is reported (WARN with the task's name and the worker's
 *       stack, the {@link #stalls} count, a {@link WorkerStallEvent}) once; the worker's next
 *       poll (a new stamp) ends it and re-arms the detector.</li>
 * </ul>
 */
public final class StallDetector {

    private static final Logger log = LoggerFactory.getLogger(StallDetector.class);

    /** Samples per threshold: a stall is noticed at most a quarter threshold late. */
    static final int SAMPLES_PER_THRESHOLD = 4;

    /** How many of the latest stalls {@link #recentStalls()} keeps. */
    public static final int RECENT_STALLS = 16;

    private final StallTarget target;
    private final long thresholdNanos;
    private final long periodNanos;
    private final LongSupplier gcPauseMillis;
    private final AtomicLong stalls = new AtomicLong();
    /** Workers whose stall was reported and whose poll has not ended yet; written by the detector thread only. */
    private final java.util.concurrent.atomic.AtomicInteger ongoing = new java.util.concurrent.atomic.AtomicInteger();
    /** The last {@link #RECENT_STALLS} stalls, oldest first; guarded by itself (written once per stall, read on demand). */
    private final java.util.ArrayDeque<RecentStall> recent = new java.util.ArrayDeque<>(RECENT_STALLS);
    private final String threadName;
    private volatile boolean stopped;
    private volatile Thread thread;

    // Detector-thread state, per worker.
    private final long[] lastStamp;
    private final long[] firstSeenNanos;
    private final long[] gcMillisAtFirstSeen;
    private final boolean[] reported;

    /** A detector for {@code target}'s workers; {@link #start()} starts its thread. */
    public StallDetector(StallTarget target, Duration threshold, String threadName) {
        this(target, threshold, threadName, new GcPauses()::totalMillis);
    }

    StallDetector(StallTarget target, Duration threshold, String threadName, LongSupplier gcPauseMillis) {
        this.target = target;
        this.thresholdNanos = threshold.toNanos();
        this.periodNanos = Math.max(1, thresholdNanos / SAMPLES_PER_THRESHOLD);
        this.gcPauseMillis = gcPauseMillis;
        this.threadName = threadName;
        int n = target.workerCount();
        this.lastStamp = new long[n];
        this.firstSeenNanos = new long[n];
        this.gcMillisAtFirstSeen = new long[n];
        this.reported = new boolean[n];
        java.util.Arrays.fill(lastStamp, StallTarget.PARKED);
    }

    /** Starts the detector's daemon thread. */
    public void start() {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Stops the detector's thread (it exits within one period); idempotent. */
    public void stop() {
        stopped = true;
        target.heartbeatPausing();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * The time between two samples (and two {@link StallTarget#heartbeat}s, unless a stall report
     * blocks in between: see {@link StallTarget#heartbeatPausing}): a quarter of the threshold.
     */
    public long periodNanos() {
        return periodNanos;
    }

    /** Stalls detected since the runtime started. */
    public long stalls() {
        return stalls.get();
    }

    /**
     * Workers stalled now: their stall was reported and the poll it was reported for has not
     * ended, as of the detector's last sample (a stall is seen to end up to one period late).
     */
    public int ongoingStalls() {
        return ongoing.get();
    }

    /**
     * The latest stalls, at most {@link #RECENT_STALLS}, oldest first. A copy, taken under a
     * lock only the detector thread (once per stall) and callers of this method take: workers
     * never touch it. Never null.
     */
    public java.util.List<RecentStall> recentStalls() {
        synchronized (recent) {
            return java.util.List.copyOf(recent);
        }
    }

    /**
     * One stall as reported.
     *
     * @param worker the worker thread's name ({@code #index} if it had none); never null
     * @param task the name of the task being polled; null if the worker was between polls
     * @param inPollNanos how long the poll had lasted when the stall was detected
     * @param detectedAtMillis when it was detected, wall-clock epoch milliseconds
     */
    public record RecentStall(String worker, String task, long inPollNanos, long detectedAtMillis) {
    }

    private void remember(RecentStall stall) {
        synchronized (recent) {
            if (recent.size() == RECENT_STALLS) {
                recent.removeFirst();
            }
            recent.addLast(stall);
        }
    }

    private void run() {
        long lastWake = System.nanoTime();
        while (!stopped) {
            LockSupport.parkNanos(this, periodNanos);
            long now = System.nanoTime();
            boolean detectorWasPaused = now - lastWake > periodNanos + thresholdNanos / 2;
            lastWake = now;
            try {
                // Before the sample, and apart from it: a sample that fails or blocks must not
                // cost the beat (review28).
                target.heartbeat();
            } catch (RuntimeException | Error e) {
                log.error("async-runtime stall detector failed a heartbeat; it goes on", e);
            }
            try {
                sample(now, gcPauseMillis.getAsLong(), detectorWasPaused);
            } catch (RuntimeException | Error e) {
                log.error("async-runtime stall detector failed a sample; it goes on", e);
            }
        }
    }

    /**
     * One look at every worker at time {@code now} with the GCs' accumulated pause time
     * {@code gcMillis}; {@code restartTiming} when the detector itself did not run for a while.
     * Package-private so a test can drive it with its own clock.
     */
    void sample(long now, long gcMillis, boolean restartTiming) {
        boolean aPollSpansAPeriod = false;
        for (int worker = 0; worker < lastStamp.length; worker++) {
            long stamp = target.pollStamp(worker);
            if (stamp != lastStamp[worker] || stamp == StallTarget.PARKED) {
                if (reported[worker]) {
                    reported[worker] = false;
                    ongoing.decrementAndGet();
                    target.stallEnded(worker);
                }
                lastStamp[worker] = stamp;
                firstSeenNanos[worker] = now;
                gcMillisAtFirstSeen[worker] = gcMillis;
                continue;
            }
            aPollSpansAPeriod = true;
            if (reported[worker]) {
                continue;                                    // never twice for one poll
            }
            if (restartTiming) {
                firstSeenNanos[worker] = now;
                gcMillisAtFirstSeen[worker] = gcMillis;
                continue;
            }
            long inPoll = now - firstSeenNanos[worker];
            long gcPausedNanos = (gcMillis - gcMillisAtFirstSeen[worker]) * 1_000_000L;
            if (inPoll - gcPausedNanos >= thresholdNanos) {
                reported[worker] = true;
                ongoing.incrementAndGet();
                stalls.incrementAndGet();
                target.markStalled(worker, stamp);
                report(worker, inPoll);
            }
        }
        if (aPollSpansAPeriod) {
            target.attendDriver();
        }
    }

    private void report(int worker, long inPollNanos) {
        target.heartbeatPausing(); // what follows can block: nobody may trust the beat until the next one
        Thread thread = target.workerThread(worker);
        String task = target.pollingTaskName(worker);
        String where = task != null ? "one poll of task " + task : "the scheduler between polls (no task is being polled)";
        // The JFR event first: a stall listed in recentStalls() is in JFR's buffers too, so a
        // recording stopped once a caller sees the stall listed holds its event.
        StallEvents.emit(thread, task, inPollNanos, thresholdNanos);
        remember(new RecentStall(thread == null ? "#" + worker : thread.getName(), task, inPollNanos,
                System.currentTimeMillis()));
        StalledWorkerStack stack = new StalledWorkerStack(thread);
        log.warn("async-runtime worker {} has been inside {} for at least {} ms (stall threshold {} ms): blocking code "
                        + "on a worker holds up every task queued behind it; run it with spawnBlocking or blockInPlace. "
                        + "The other workers take over its queued tasks meanwhile. Stack of the worker:",
                thread == null ? "#" + worker : thread.getName(), where, inPollNanos / 1_000_000,
                thresholdNanos / 1_000_000, stack);
    }

    /** The worker's stack at the time of the report, as a throwable so a logger prints it as one. */
    static final class StalledWorkerStack extends Throwable {
        private static final long serialVersionUID = 1L;

        StalledWorkerStack(Thread thread) {
            super("stack of " + (thread == null ? "an unknown thread" : thread.getName()), null, false, true);
            setStackTrace(thread == null ? new StackTraceElement[0] : thread.getStackTrace());
        }
    }
}

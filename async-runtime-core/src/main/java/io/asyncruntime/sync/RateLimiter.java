package io.asyncruntime.sync;

import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerEntry;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import io.asyncruntime.time.Clock;
import java.time.Duration;

/**
 * A token bucket: {@code permits} per {@code period} on average, bursts of up to {@code burst}.
 * {@link #acquire()} waits (on the runtime's timing wheel, not a thread) until tokens are there;
 * {@link #tryAcquire()} fails at once. The rate can be changed at run time ({@link #setRate}) and
 * waiting tasks follow the new rate at once. The entry of the backpressure stack: rate limit,
 * then a concurrency limit ({@link Semaphore}), then a {@code timeout} on the call.
 *
 * <pre>{@code
 * RateLimiter limit = new RateLimiter(100, Duration.ofSeconds(1));  // 100/s, bursts of 100
 * Task<Response> call = limit.acquire().flatMap(ok -> client.call(request));
 * }</pre>
 *
 * <p>Fair: waiting tasks get their tokens in arrival order, and {@code tryAcquire} does not take
 * tokens while a task waits. A request for more than {@code burst} tokens is served when the bucket
 * is full and leaves it in debt, so the average rate holds. The bucket starts full.
 *
 * <p>How it counts (the "generic cell rate algorithm" form of a token bucket): one number, the
 * theoretical arrival time {@code tat}; a request for {@code n} tokens at time {@code now} is let
 * through if {@code max(tat, now) + n·interval - now <= burst·interval}, and moves {@code tat} to
 * {@code max(tat, now) + n·interval}. Only the longest-waiting task arms a timer, for the moment its
 * tokens will be there; when it is served it wakes the next.
 *
 * <p>Time is measured on the {@link Clock} given at construction (default: the system clock); a
 * task that must wait must run on a runtime with that clock (a test gives both the same
 * {@code Clock.paused()}). Cancellation is dropping: a cancelled acquire takes no tokens and leaves
 * no waiter or timer behind. A completed acquire spends one unit of the cooperative budget.
 * Thread-safe.
 */
public final class RateLimiter {

    private final Clock clock;
    private final WaitList waiters = new WaitList();
    // Guarded by the lock of waiters.
    private double intervalNanos;
    private int burst;
    private long tat;

    /**
     * A limiter of {@code permits} per {@code period}, bursts of up to {@code permits}, on the
     * system clock.
     *
     * @throws IllegalArgumentException if {@code permits} is less than 1 or {@code period} is not
     *     positive
     */
    public RateLimiter(int permits, Duration period) {
        this(permits, period, permits, Clock.system());
    }

    /**
     * A limiter of {@code permits} per {@code period}, bursts of up to {@code burst}, measuring
     * time on {@code clock}.
     *
     * @throws IllegalArgumentException if {@code permits} or {@code burst} is less than 1, or
     *     {@code period} is not positive
     * @throws NullPointerException if {@code period} or {@code clock} is null
     */
    public RateLimiter(int permits, Duration period, int burst, Clock clock) {
        if (clock == null) {
            throw new NullPointerException("clock must not be null");
        }
        this.clock = clock;
        this.intervalNanos = interval(permits, period, burst);
        this.burst = burst;
        this.tat = clock.nanoTime(); // full bucket
    }

    /** A task that waits for one token. */
    public Task<Void> acquire() {
        return new Acquire(this, 1);
    }

    /**
     * A task that waits for {@code n} tokens, taken together.
     *
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public Task<Void> acquire(int n) {
        return new Acquire(this, requireCount(n));
    }

    /** Takes one token if one is there and no task waits; returns whether it did. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code n} tokens if they are there and no task waits; returns whether it did.
     *
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public boolean tryAcquire(int n) {
        requireCount(n);
        waiters.lock();
        try {
            return waiters.isEmpty() && tryTakeLocked(n, clock.nanoTime());
        } finally {
            waiters.unlock();
        }
    }

    /**
     * Changes the rate to {@code permits} per {@code period} with bursts of up to {@code burst}.
     * The tokens in the bucket stay (capped to the new burst; a debt stays a debt), and waiting
     * tasks are rescheduled for the new rate at once.
     *
     * @throws IllegalArgumentException if {@code permits} or {@code burst} is less than 1, or
     *     {@code period} is not positive
     */
    public void setRate(int permits, Duration period, int burst) {
        double newInterval = interval(permits, period, burst);
        waiters.lock();
        long now = clock.nanoTime();
        double tokens = (now + burst(this.burst, intervalNanos) - Math.max(tat, now)) / intervalNanos;
        intervalNanos = newInterval;
        this.burst = burst;
        tat = now + burst(burst, newInterval) - Math.round(Math.min(tokens, burst) * newInterval);
        WaitNode head = waiters.first();
        if (head != null) {
            waiters.toWake(head); // it re-arms its timer for the new rate
        }
        waiters.unlockAndWake();
    }

    /** {@link #setRate(int, Duration, int)} with bursts of up to {@code permits}. */
    public void setRate(int permits, Duration period) {
        setRate(permits, period, permits);
    }

    /** The tokens in the bucket now (0 when in debt). */
    public int availablePermits() {
        waiters.lock();
        try {
            long now = clock.nanoTime();
            double tokens = (now + burst(burst, intervalNanos) - Math.max(tat, now)) / intervalNanos;
            return (int) Math.max(0, Math.floor(tokens + 1e-9));
        } finally {
            waiters.unlock();
        }
    }

    @Override
    public String toString() {
        double perSecond;
        waiters.lock();
        perSecond = 1e9 / intervalNanos;
        int b = burst;
        waiters.unlock();
        return "RateLimiter[" + perSecond + "/s, burst " + b + "]";
    }

    /** For tests and diagnostics: how many acquires wait. */
    int waiterCount() {
        return waiters.waiterCount();
    }

    // ---- the bucket (lock held) ----------------------------------------------------------------

    private boolean tryTakeLocked(int n, long now) {
        long start = Math.max(tat, now);
        long cost = Math.round(n * intervalNanos);
        if (start + cost - now <= Math.max(burst(burst, intervalNanos), cost)) {
            tat = start + cost;
            return true;
        }
        return false;
    }

    /** When {@code n} tokens will be there (clock nanos), if nobody takes any before. */
    private long readyAtLocked(int n, long now) {
        long cost = Math.round(n * intervalNanos);
        return Math.max(tat, now) + cost - Math.max(burst(burst, intervalNanos), cost);
    }

    /**
     * The time driver of the calling thread's runtime, which must measure time on this limiter's
     * clock (a wait is a timer on it).
     *
     * @throws IllegalStateException outside a runtime, or on a runtime with another clock
     */
    private TimeDriver driverToWaitOn() {
        TimeDriver driver = TimeDriver.current();
        if (driver.source() != clock) {
            throw new IllegalStateException("this RateLimiter measures time on " + clock
                    + " but the runtime's timers run on " + driver.source()
                    + ": build the limiter with the runtime's clock");
        }
        return driver;
    }

    private void refundLocked(int n) {
        tat -= Math.round(n * intervalNanos);
    }

    private static long burst(int burst, double interval) {
        return Math.round(burst * interval);
    }

    private static double interval(int permits, Duration period, int burst) {
        if (period == null) {
            throw new NullPointerException("period must not be null");
        }
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        double nanos = period.toNanos() / (double) permits;
        if (nanos > TimeDriver.MAX_DELAY.toNanos()) {
            throw new IllegalArgumentException("one permit per " + period.dividedBy(permits)
                    + " is slower than the timing wheel's range of " + TimeDriver.MAX_DELAY);
        }
        return nanos;
    }

    private static int requireCount(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
        return n;
    }

    /**
     * One acquire: its node in the wait queue and, while it is the head, its timer. Phase moves
     * INIT → (WAITING →) TAKEN → DONE, or to CANCELLED; tokens are taken only by the task itself,
     * in its own poll, so a cancel never loses any (a taken-but-not-returned acquire gives them
     * back).
     */
    private static final class Acquire extends WaitNode implements Task<Void> {
        private static final int INIT = 0;
        private static final int WAITING = 1;
        private static final int TAKEN = 2;
        private static final int DONE = 3;
        private static final int CANCELLED = 4;

        private final RateLimiter limiter;
        private final int n;
        /** Owner-private, and read or written under the limiter's lock. */
        private int phase;
        /** Created the first time this acquire waits as the head. */
        private TimerEntry timer;
        /** The time driver of the runtime this acquire waits on; set when it joins the queue. */
        private TimeDriver driver;

        Acquire(RateLimiter limiter, int n) {
            this.limiter = limiter;
            this.n = n;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (phase == TAKEN) {
                return finish(cx);
            }
            if (phase != INIT && phase != WAITING) {
                throw new IllegalStateException("a finished RateLimiter acquire was polled again");
            }
            WaitList waiters = limiter.waiters;
            long deadline;
            waiters.lock();
            long now = limiter.clock.nanoTime();
            if (phase == INIT) {
                if (waiters.isEmpty() && limiter.tryTakeLocked(n, now)) {
                    phase = TAKEN;
                    waiters.unlock();
                    return finish(cx);
                }
                try {
                    driver = limiter.driverToWaitOn(); // fails before this acquire joins the queue
                } catch (RuntimeException wrongRuntime) {
                    waiters.unlock();
                    phase = CANCELLED;
                    throw wrongRuntime;
                }
                phase = WAITING;
                waiters.pushBack(this);
            }
            waker = cx.waker();
            if (waiters.first() != this) {
                waiters.unlock(); // the head's turn first; it wakes us when it is served or leaves
                return Poll.pending();
            }
            if (limiter.tryTakeLocked(n, now)) {
                waiters.unlink(this);
                phase = TAKEN;
                WaitNode next = waiters.first();
                if (next != null) {
                    waiters.toWake(next); // the new head arms its own timer
                }
                waiters.unlockAndWake();
                if (timer != null) {
                    timer.cancelTimer();
                }
                return finish(cx);
            }
            deadline = limiter.readyAtLocked(n, now);
            waiters.unlock();
            // Armed outside the lock (arming may wake the driver); only this task arms or cancels
            // it, and a rate change wakes this head to re-arm.
            arm(deadline, now, cx.waker());
            return Poll.pending();
        }

        private void arm(long deadline, long now, Waker waker) {
            if (timer == null) {
                timer = new TimerEntry();
            }
            long latest = now + TimeDriver.MAX_DELAY.toNanos();
            timer.arm(driver, Math.min(deadline, latest), waker);
        }

        private Poll<Void> finish(Context cx) {
            if (!cx.consumeBudget()) {
                return Poll.pending(); // the tokens are ours; the next poll completes
            }
            phase = DONE;
            return Poll.ready(null);
        }

        @Override
        public void cancel() {
            WaitList waiters = limiter.waiters;
            if (phase == WAITING) {
                waiters.lock();
                boolean wasHead = waiters.first() == this;
                waiters.unlink(this);
                waker = null;
                WaitNode next = waiters.first();
                if (wasHead && next != null) {
                    waiters.toWake(next);
                }
                waiters.unlockAndWake();
                if (timer != null) {
                    timer.cancelTimer();
                }
            } else if (phase == TAKEN) {
                waiters.lock();
                limiter.refundLocked(n);
                WaitNode head = waiters.first();
                if (head != null) {
                    waiters.toWake(head);
                }
                waiters.unlockAndWake();
            }
            phase = CANCELLED;
        }

        @Override
        public String toString() {
            return "RateLimiter.acquire(" + n + ")";
        }
    }
}

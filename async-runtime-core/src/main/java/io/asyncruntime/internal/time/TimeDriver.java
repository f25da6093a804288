package io.asyncruntime.internal.time;

import io.asyncruntime.internal.scheduler.Driver;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * The time driver: a {@link Driver} that wraps an inner driver (a thread parker, later the I/O
 * selector) and fires timers from the worker that parks. There is no timer thread and no lock.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li><b>The wheel is private to the parking thread.</b> {@link #park} runs on one thread at a
 *       time (the scheduler serialises it, which also orders successive parkers), so the
 *       {@link TimingWheel} and the counters are plain fields.</li>
 *   <li><b>Owners talk to the driver through an inbox.</b> Arming an entry (or moving it earlier)
 *       and cancelling a filed entry push it, once, onto a lock-free Treiber stack; the parking
 *       thread takes the whole stack with one swap at each turn and files, re-files or unlinks
 *       what it finds. Insert and cancel from any worker are a CAS on the entry and a CAS on the
 *       stack: no lock, no allocation. A cancelled entry leaves the wheel at the driver's next
 *       turn: the scheduler turns the driver at least every event interval when busy, and a
 *       parked driver is woken once {@value #INBOX_WAKE_THRESHOLD} entries wait.</li>
 *   <li><b>No lost early deadline</b> (a Dekker pair, volatile on both sides): before blocking the
 *       driver publishes the tick it will wake at in {@link #parkedUntil}, then re-reads the
 *       inbox; an owner pushes, then reads {@code parkedUntil} and calls {@code inner.unpark()}
 *       if its deadline is earlier. Either the driver sees the push or the owner sees the
 *       deadline. The owner that unparks first resets the field, so a burst of early timers
 *       costs one unpark.</li>
 *   <li><b>Wakers are called in batches</b> ({@link WakeBatch}) between wheel operations, never
 *       inside one, and no lock is held anywhere; a waker only queues its task, so the woken
 *       tasks land on the parking worker's queue.</li>
 *   <li><b>A turn fires at most a share</b> ({@link #firesPerTurn}), earliest deadline first; the
 *       rest of a due slot waits for the next turn, still filed and still cancellable. A turn
 *       that fired less than its share left nothing due, so {@link #park} blocks only after such
 *       a turn.</li>
 * </ul>
 *
 * <p>Time is measured in ticks of 1 ms since the driver was created. A deadline is rounded
 * <em>up</em> to a tick and a tick fires only once the clock has reached it, so no timer fires
 * early.
 */
public final class TimeDriver implements Driver {

    /** One wheel tick. 1 ms, as Tokio: fine enough for timeouts, coarse enough to batch. */
    static final long NANOS_PER_TICK = 1_000_000L;

    /** The longest delay a timer accepts: the wheel's span less one tick, about 2.2 years. */
    public static final Duration MAX_DELAY = Duration.ofMillis(TimingWheel.SPAN_TICKS - 1);

    /** How often park re-drains an inbox that keeps filling before it blocks anyway (with no wait). */
    private static final int MAX_PRE_PARK_DRAINS = 4;

    /**
     * A parked driver is woken when this many entries were pushed to its inbox while it was
     * parked, so that cancelled entries of an idle runtime are released soon (about this many
     * wait), not at the next deadline, without an unpark per cancel.
     */
    static final int INBOX_WAKE_THRESHOLD = 1024;

    /** The least {@link #firesPerTurn}: one wake batch. */
    static final int MIN_FIRES_PER_TURN = WakeBatch.CAPACITY;

    /** {@link #parkedUntil} while the driver is not blocked: no registration needs to unpark it. */
    private static final long NOT_PARKED = Long.MIN_VALUE;

    private static final VarHandle INBOX;
    private static final VarHandle PARKED_UNTIL;
    private static final VarHandle INHIBITORS;
    private static final VarHandle PARKED_PUSHES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            INBOX = lookup.findVarHandle(TimeDriver.class, "inbox", TimerEntry.class);
            PARKED_UNTIL = lookup.findVarHandle(TimeDriver.class, "parkedUntil", long.class);
            INHIBITORS = lookup.findVarHandle(TimeDriver.class, "autoAdvanceInhibitors", int.class);
            PARKED_PUSHES = lookup.findVarHandle(TimeDriver.class, "parkedPushes", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final ThreadLocal<TimeDriver> CURRENT = new ThreadLocal<>();

    private final Driver inner;
    private final TimeSource source;
    private final long originNanos;
    private final Runnable unsubscribe;
    /** Whether the source is a paused (test) clock; fixed for a source's lifetime. */
    private final boolean paused;
    /**
     * The most timers one turn fires; the rest stay in the wheel's due slot for the next turn.
     * A busy worker turns the driver every event interval, so with this equal to that interval
     * a burst of due timers is fired at the pace their tasks are polled, and never slower: the
     * woken tasks fit the worker's ring in deadline order (no overflow to the inject queue, which
     * would put the oldest behind the newest), the first of them run while later ones are still
     * filed, and a worker that runs dry turns the driver for the next share, so an idle peer
     * that wakes up helps with both firing and running. Measured on 10,000 concurrent 50 ms
     * sleeps (2 workers, 2 cores): p99 lateness 2.4 ms with whole slots fired per turn, 1.6 ms
     * with this (SleepLatenessBenchmark).
     */
    private final int firesPerTurn;

    // Driver-private (see the class comment).
    private final TimingWheel wheel = new TimingWheel();
    private final WakeBatch wakes = new WakeBatch();
    private final TimerCounters counters = new TimerCounters();

    /** Head of the inbox stack (Treiber); see the class comment. */
    @SuppressWarnings("unused")
    private volatile TimerEntry inbox;

    /** The tick the blocked driver wakes at by itself, or {@link #NOT_PARKED}. */
    @SuppressWarnings("unused")
    private volatile long parkedUntil = NOT_PARKED;

    /** Pushes seen while the driver was parked since it last parked; a heuristic, so racy resets are fine. */
    @SuppressWarnings("unused")
    private volatile int parkedPushes;

    /** Threads outside the workers that are running runtime work now (see {@link #inhibitAutoAdvance}). */
    @SuppressWarnings("unused")
    private volatile int autoAdvanceInhibitors;

    /**
     * Creates a time driver around {@code inner}, reading time from {@code source}, that fires at
     * most {@link #firesPerTurnFor firesPerTurnFor(eventInterval)} timers per turn. The runtime
     * passes its {@code Clock} (which is a {@link TimeSource}) and its scheduler's event interval.
     */
    public TimeDriver(Driver inner, TimeSource source, int eventInterval) {
        if (inner == null) {
            throw new NullPointerException("inner driver");
        }
        if (source == null) {
            throw new NullPointerException("clock");
        }
        this.inner = inner;
        this.source = source;
        this.originNanos = source.nanoTime();
        this.unsubscribe = source.onManualAdvance(inner::unpark);
        this.paused = source.isPaused();
        this.firesPerTurn = firesPerTurnFor(eventInterval);
    }

    /** The per-turn fire limit for a scheduler that turns the driver every {@code eventInterval} polls. */
    public static int firesPerTurnFor(int eventInterval) {
        if (eventInterval < 1) {
            throw new IllegalArgumentException("eventInterval must be at least 1, was " + eventInterval);
        }
        return Math.max(MIN_FIRES_PER_TURN, eventInterval);
    }

    // ------------------------------------------------------------------ auto-advance inhibition

    /**
     * Tells a paused clock that work is running outside the workers (a {@code blockOn} thread
     * polling its task, later the blocking pool): the workers may all be idle, yet time must not
     * jump, since that work may be about to arm an earlier timer (Tokio's
     * {@code inhibit_auto_advance}). Pair with {@link #allowAutoAdvance()}. Free on a running clock.
     */
    public void inhibitAutoAdvance() {
        if (paused) {
            INHIBITORS.getAndAdd(this, 1);
        }
    }

    /** Ends an {@link #inhibitAutoAdvance()}; the last one wakes the driver to re-check idleness. */
    public void allowAutoAdvance() {
        if (paused && (int) INHIBITORS.getAndAdd(this, -1) == 1) {
            inner.unpark();
        }
    }

    /**
     * Wraps a task polled outside the workers (the root task of {@code blockOn}) so that a paused
     * clock does not auto-advance while that task is runnable (see {@link AutoAdvanceGuard}).
     * Returns the task itself on a running clock.
     */
    public <T> Task<T> inhibitingAutoAdvanceWhilePolled(Task<T> task) {
        return paused ? new AutoAdvanceGuard<>(this, task) : task;
    }

    // ------------------------------------------------------------------ binding to threads

    /**
     * Makes {@code driver} the time driver of the current thread (the runtime calls this on each
     * worker and around {@code blockOn}); returns the previous one, to restore with
     * {@code bind(previous)}. {@code null} unbinds.
     */
    public static TimeDriver bind(TimeDriver driver) {
        TimeDriver previous = CURRENT.get();
        if (driver == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(driver);
        }
        return previous;
    }

    /** Removes the current thread's binding. */
    public static void unbind() {
        CURRENT.remove();
    }

    /**
     * The time driver bound to the current thread.
     *
     * @throws IllegalStateException outside a runtime
     */
    public static TimeDriver current() {
        TimeDriver driver = CURRENT.get();
        if (driver == null) {
            throw new IllegalStateException(
                    "timers (sleep, timeout, interval) must be used inside an async-runtime task: "
                            + "no runtime is bound to thread " + Thread.currentThread().getName());
        }
        return driver;
    }

    /** The time source this driver reads. */
    public TimeSource source() {
        return source;
    }

    /** Now, in the source's nanoseconds. */
    public long nanoTime() {
        return source.nanoTime();
    }

    // ------------------------------------------------------------------ owner side

    /** The tick a deadline fires at: rounded up, so a timer never fires before its deadline. */
    long deadlineTick(long deadlineNanos) {
        long d = deadlineNanos - originNanos;
        if (d <= 0) {
            return 0;
        }
        return Math.min((d - 1) / NANOS_PER_TICK + 1, TimerEntry.DEADLINE_MASK);
    }

    /**
     * Pushes an entry whose QUEUED bit its owner just set. Unparks a parked driver if the entry is
     * due before the driver's wake-up, or if {@link #INBOX_WAKE_THRESHOLD} entries were pushed
     * while it was parked. A driver that is not parked costs the pusher nothing beyond the push
     * and one volatile read: it drains the inbox at its next turn.
     */
    void enqueue(TimerEntry e, long tick) {
        TimerEntry head;
        do {
            head = inbox;
            e.inboxNext = head;
        } while (!INBOX.compareAndSet(this, head, e));
        long wakeAt = parkedUntil;
        if (wakeAt == NOT_PARKED) {
            return;
        }
        boolean wake = tick < wakeAt
                || ((int) PARKED_PUSHES.getAndAdd(this, 1) + 1) % INBOX_WAKE_THRESHOLD == 0;
        if (wake && PARKED_UNTIL.compareAndSet(this, wakeAt, NOT_PARKED)) {
            inner.unpark();
        }
    }

    // ------------------------------------------------------------------ driver side

    @Override
    public void park(long timeoutNanos, boolean runtimeIdle) {
        if (timeoutNanos == 0) {                            // a poll: I/O first, then due timers
            inner.park(0, runtimeIdle);
            turn();
            return;
        }
        if (turn() > 0) {                                   // work is ready: do not block
            return;
        }
        long next = wheel.nextExpiration();
        if (paused && runtimeIdle && next != TimingWheel.NONE
                && (int) INHIBITORS.getVolatile(this) == 0) {
            autoAdvance(next, runtimeIdle);
            return;
        }
        PARKED_PUSHES.setOpaque(this, 0);
        for (int drains = 0; ; drains++) {
            PARKED_UNTIL.setVolatile(this, next);
            if (INBOX.getVolatile(this) == null) {
                break;
            }
            drainInbox();
            next = wheel.nextExpiration();
            if (next <= nowTick() || drains == MAX_PRE_PARK_DRAINS) {
                timeoutNanos = 0;                            // due already, or the inbox keeps filling
                break;
            }
        }
        inner.park(waitNanos(timeoutNanos, next), runtimeIdle);
        PARKED_UNTIL.setOpaque(this, NOT_PARKED);
        if (turn() > 0) {
            counters.add(TimerCounters.TIMER_WAKEUPS, 1);
        }
    }

    /** How long to block: the caller's timeout, capped by the next deadline on a running clock. */
    private long waitNanos(long timeoutNanos, long nextTick) {
        if (timeoutNanos == 0 || nextTick == TimingWheel.NONE || paused) {
            return timeoutNanos;                             // a paused clock never passes by itself
        }
        long untilNext = Math.max(0, originNanos + nextTick * NANOS_PER_TICK - source.nanoTime());
        return timeoutNanos < 0 ? untilNext : Math.min(timeoutNanos, untilNext);
    }

    /**
     * Every worker is idle and the clock is paused: nothing can happen until the next deadline,
     * so jump to it (Tokio's auto-advance). I/O is polled first: an event that makes work wins.
     * A far deadline sits in a higher level's slot; the jumps go slot by slot (one per level at
     * most) until a timer fires, so one idle park reaches the deadline.
     */
    private void autoAdvance(long nextTick, boolean runtimeIdle) {
        inner.park(0, runtimeIdle);
        if (turn() > 0) {
            return;
        }
        for (long next = nextTick; next != TimingWheel.NONE; next = wheel.nextExpiration()) {
            if ((int) INHIBITORS.getVolatile(this) != 0) {
                return;                                      // a blockOn task became runnable meanwhile
            }
            source.autoAdvanceTo(originNanos + next * NANOS_PER_TICK);
            if (turn() > 0) {
                counters.add(TimerCounters.TIMER_WAKEUPS, 1);
                return;
            }
        }
    }

    @Override
    public void unpark() {
        inner.unpark();
    }

    @Override
    public void shutdown() {
        unsubscribe.run();
        inner.shutdown();
    }

    /** Drains the inbox and fires what is due. Returns the number of timers fired. */
    private int turn() {
        drainInbox();
        int fired = fireDue(nowTick());
        counters.set(TimerCounters.ACTIVE, wheel.size());
        return fired;
    }

    private long nowTick() {
        return Math.max(0, source.nanoTime() - originNanos) / NANOS_PER_TICK;
    }

    /** Files, re-files or unlinks everything pushed since the last drain. Returns whether there was any. */
    private boolean drainInbox() {
        if (INBOX.getAcquire(this) == null) {               // cheap check before the swap
            return false;
        }
        TimerEntry e = inArmingOrder((TimerEntry) INBOX.getAndSet(this, null));
        int cancelled = 0;
        while (e != null) {
            // Read and clear the link before clearing QUEUED: the owner may push again right after.
            TimerEntry nextInInbox = e.inboxNext;
            e.inboxNext = null;
            long s = e.clearQueued();
            if (e.slot != TimerEntry.NOT_LINKED) {
                wheel.remove(e);
            }
            if (TimerEntry.isCancelledLive(s)) {
                cancelled++;
            } else if (TimerEntry.isLive(s)) {
                wheel.insert(e, s & TimerEntry.DEADLINE_MASK);
            }
            e = nextInInbox;
        }
        if (cancelled > 0) {
            counters.add(TimerCounters.CANCELLED, cancelled);
        }
        return true;
    }

    /**
     * Reverses a stack taken off the inbox, so entries are filed in the order they were pushed
     * and slots stay in arming order (see {@link TimingWheel}). Only the driver holds the taken
     * stack, and it rewrites {@code inboxNext} before clearing QUEUED, so no owner sees it.
     */
    private static TimerEntry inArmingOrder(TimerEntry top) {
        TimerEntry reversed = null;
        while (top != null) {
            TimerEntry next = top.inboxNext;
            top.inboxNext = reversed;
            reversed = top;
            top = next;
        }
        return reversed;
    }

    /**
     * Processes what is due at {@code nowTick} (fires, cascades, re-files moved deadlines) until
     * {@link #firesPerTurn} timers have fired. Returns the number fired; fewer than the limit
     * means nothing due is left, so a caller that gets the limit back must not block.
     */
    private int fireDue(long nowTick) {
        int fired = 0;
        TimerEntry e;
        while (fired < firesPerTurn && (e = wheel.pollDue(nowTick)) != null) {
            fired += fireOrRefile(e, nowTick);
        }
        wakes.deliver();
        if (fired > 0) {
            counters.add(TimerCounters.FIRED, fired);
        }
        return fired;
    }

    /** Handles one entry taken off the due slot; returns 1 if it fired. */
    private int fireOrRefile(TimerEntry e, long nowTick) {
        for (;;) {
            long s = e.stateVolatile();
            if (!TimerEntry.isLive(s)) {
                return 0;                                    // cancelled: the inbox has it
            }
            long deadline = s & TimerEntry.DEADLINE_MASK;
            if (deadline > nowTick) {
                if ((s & TimerEntry.QUEUED) == 0) {
                    wheel.insert(e, deadline);               // cascade down, or a deadline moved later
                }
                return 0;                                    // queued: the inbox files it
            }
            if (e.tryFire(s)) {
                Waker waker = e.firedWaker();
                if (waker != null) {
                    wakes.add(waker);
                }
                return 1;
            }
            // Lost to the owner (cancel or re-arm): look again.
        }
    }

    // ------------------------------------------------------------------ metrics

    /** A snapshot of the counters; safe from any thread. */
    public TimerMetrics metrics() {
        return counters.snapshot();
    }
}

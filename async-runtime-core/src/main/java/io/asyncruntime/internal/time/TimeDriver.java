package io.asyncruntime.internal.time;

import io.asyncruntime.internal.scheduler.Driver;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The time driver: a {@link Driver} that wraps an inner driver (a thread parker, later the I/O
 * selector) and fires timers from the worker that parks. There is no timer thread and no lock.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li><b>The wheel is private to the parking thread.</b> {@link #park} runs on one thread at a
 *       time (the scheduler serialises it, which also orders successive parkers), so the
 *       {@link TimingWheel} and the counters are plain fields.</li>
 *   <li><b>Owners talk to the driver through an inbox</b> ({@link TimerInbox}). Arming an entry
 *       (or moving it earlier) and cancelling a filed entry push it, once, onto a lock-free
 *       stack; the parking thread takes the whole stack at each turn and files, re-files or
 *       unlinks what it finds. Insert and cancel from any worker are a CAS on the entry and a
 *       CAS on the stack: no lock, no allocation. A cancelled entry leaves the wheel at the
 *       driver's next turn: the scheduler turns the driver at least every event interval when
 *       busy, and a parked driver is woken once {@value TimerInbox#WAKE_THRESHOLD} entries
 *       wait.</li>
 *   <li><b>No lost early deadline</b>: before blocking, the driver publishes the tick it will
 *       wake at, then re-reads the inbox; an owner pushes, then reads that tick and unparks the
 *       driver if its deadline is earlier (the handshake is described in {@link TimerInbox}).</li>
 *   <li><b>Wakers are called in batches</b> ({@link WakeBatch}) between wheel operations, never
 *       inside one, and no lock is held anywhere; a waker only queues its task, so the woken
 *       tasks land on the parking worker's queue.</li>
 *   <li><b>A turn fires at most a share</b> ({@link #firesPerTurn}), earliest deadline first; the
 *       rest of a due slot waits for the next turn, still filed and still cancellable. A turn
 *       that fired less than its share left nothing due, so {@link #park} blocks only after such
 *       a turn.</li>
 * </ul>
 *
 * <p>At shutdown ({@link #shutdown}) the driver fires nothing more; instead it wakes the owner of
 * every live entry, filed or still in the inbox, and from then on an entry armed on it wakes its
 * owner at once: the scheduler cancels a task woken after shutdown (and {@code blockOn} ends), so
 * a task idle on a timer still completes its handle. The wake does not fire the entry: no timer
 * ever reports elapsed before its deadline.
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

    /** The least {@link #firesPerTurn}: one wake batch. */
    static final int MIN_FIRES_PER_TURN = WakeBatch.CAPACITY;

    private static final VarHandle INHIBITORS;

    static {
        try {
            INHIBITORS = MethodHandles.lookup().findVarHandle(TimeDriver.class, "autoAdvanceInhibitors", int.class);
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

    /** Where owners push entries for the driver (any thread). */
    private final TimerInbox inbox = new TimerInbox();

    /** Set once by {@link #shutdown}; read by owners after they pushed (see {@link #enqueue}). */
    private volatile boolean shutDown;

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

    /** The inhibitor count now; for tests and diagnostics. */
    int autoAdvanceInhibitors() {
        return (int) INHIBITORS.getVolatile(this);
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
     * Hands over an entry whose QUEUED bit its owner just set, and unparks a parked driver if the
     * inbox says so (the entry is due before the driver's wake-up, or many waited). A driver that
     * is not parked takes the entry at its next turn.
     */
    void enqueue(TimerEntry e, long tick) {
        if (inbox.push(e, tick)) {
            inner.unpark();
        }
        // After the push (a volatile CAS): the driver sets the flag, then takes the inbox, so one
        // of us sees the other. Once shut down, nobody will fire this entry: wake its owner.
        if (shutDown) {
            wakeOwnerOfDropped(e);
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
        inbox.beginPark();
        for (int drains = 0; ; drains++) {
            inbox.parkingUntil(next);
            if (inbox.isEmpty()) {
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
        inbox.endPark();
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

    /**
     * Called once, by the thread that holds the driver, after the scheduler set its shutdown
     * flag: wakes the owner of every live entry instead of firing it (see the class comment).
     */
    @Override
    public void shutdown() {
        unsubscribe.run();
        shutDown = true; // volatile, before the inbox is taken (see enqueue)
        List<TimerEntry> dropped = new ArrayList<>();
        for (TimerEntry e = inbox.takeAllOldestFirst(); e != null; ) {
            TimerEntry nextInInbox = e.inboxNext;
            e.inboxNext = null;
            e.clearQueued();
            if (e.slot != TimerEntry.NOT_LINKED) {
                wheel.remove(e);
            }
            dropped.add(e);
            e = nextInInbox;
        }
        wheel.removeAll(dropped::add);
        counters.set(TimerCounters.ACTIVE, 0);
        // Wakes run after the wheel is empty: a woken task is cancelled on this thread, and its
        // cancel pushes its entry on the inbox again (then woken by enqueue, harmlessly).
        for (TimerEntry e : dropped) {
            wakeOwnerOfDropped(e);
        }
        inner.shutdown();
    }

    /** Wakes the owner of an entry the driver will never fire, if it is still live. */
    private static void wakeOwnerOfDropped(TimerEntry e) {
        if (TimerEntry.isLive(e.stateVolatile())) {
            Waker waker = e.firedWaker();
            if (waker != null) {
                waker.wake();
            }
        }
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
        TimerEntry e = inbox.takeAllOldestFirst();
        if (e == null) {
            return false;
        }
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

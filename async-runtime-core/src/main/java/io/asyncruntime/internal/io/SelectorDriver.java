package io.asyncruntime.internal.io;

import io.asyncruntime.internal.scheduler.Driver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O driver: one {@link Selector} per runtime, turned by whichever worker holds the driver.
 * There is no I/O thread. It sits under the time driver (time over I/O over thread park): the
 * time driver calls {@link #park} with the wait until its next timer.
 *
 * <h2>Who calls what</h2>
 * <ul>
 *   <li>{@link #park}: only the thread holding the scheduler's driver flag (a worker parking with
 *       the driver, or a busy worker's non-blocking turn every event interval), one at a time;
 *       the flag's CAS and volatile release order successive holders, so the fields marked
 *       driver-private are plain. {@code interestOps} and {@code register} on the selector are
 *       only ever called here, so they never race a select.</li>
 *   <li>{@link #unpark}, {@link #register}, and everything a registration does for its owner:
 *       any thread.</li>
 *   <li>{@link #shutdown}: once, by the thread closing the runtime, after the workers stopped.</li>
 * </ul>
 *
 * <h2>Timeouts (ARCHITECTURE.md, "Driver timeouts")</h2>
 * {@code park(0)} is {@code selectNow()}; a positive wait is rounded <em>up</em> to whole
 * milliseconds (NIO's {@code select(ms)} would otherwise wake early, and {@code select(0)}
 * would block forever); a negative one is {@code select()} with no timeout. Events are taken
 * with {@code select(Consumer, timeout)} (JDK 11+): no selected-key set, no reflection.
 *
 * <h2>Wake-ups: flagged and targeted</h2>
 * One word, {@link #wakeState}: AWAKE, SELECTING (the holder is in, or about to enter, a blocking
 * select) or NOTIFIED. {@link #unpark} makes it NOTIFIED and calls {@code Selector.wakeup()} only
 * if it replaced SELECTING, so a busy runtime, whose holder only makes non-blocking turns, makes
 * no wake-up system calls, and a burst of unparks costs one. A NOTIFIED found at the next park
 * makes that park return without blocking, so an unpark is never lost.
 *
 * <p>Owners asking for interest push their registration onto an {@link InterestInbox}; the
 * holder applies the inbox <em>after</em> announcing SELECTING and before selecting. A pusher
 * pushes, then reads the word: if it reads SELECTING it wakes the selector ({@link
 * #wakeIfSelecting}: only then, and only once per select); otherwise the holder's announcement
 * comes later and its drain sees the push (both sides volatile: the Dekker pattern of
 * ARCHITECTURE.md). Closing a channel that has a key also wakes a blocked select, since the JDK
 * releases the socket only when a select deregisters its cancelled key.
 *
 * <h2>A bounded share of wakes per turn</h2>
 * Every reported key updates its registration at once (readiness is visible to anyone who polls),
 * but a turn calls at most {@link #WAKES_PER_TURN} wakers, oldest event first; the rest wait in
 * {@link WakeQueue} and the next turn does not block. The woken tasks go to the turning worker's
 * ring, so this keeps a burst in event order inside the ring rather than overflowing half of it
 * to the inject queue, as the time driver caps fired timers.
 */
public final class SelectorDriver implements Driver, IoDriver {

    private static final Logger LOG = LoggerFactory.getLogger(SelectorDriver.class);

    /**
     * The most wakers one turn calls: half a worker's local ring (256), so the woken tasks fit in
     * it with room to spare. Tokio's per-tick cap is 1024 events, whose wakes overflow its 256-slot
     * ring; the JDK itself reports at most 1024 keys per select.
     */
    static final int WAKES_PER_TURN = 128;

    /** What I/O on a registration of a closed driver reports. */
    static final String SHUTDOWN_REASON = "the async-runtime shut down";

    private static final int AWAKE = 0;
    private static final int SELECTING = 1;
    private static final int NOTIFIED = 2;

    private static final VarHandle WAKE_STATE;

    static {
        try {
            WAKE_STATE = MethodHandles.lookup().findVarHandle(SelectorDriver.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Selector selector;
    private final InterestInbox inbox = new InterestInbox();
    /** Every open registration, so that shutdown can close them; removed when a registration closes. */
    private final Set<SelectorRegistration> registrations = ConcurrentHashMap.newKeySet();
    private final IoCounters counters = new IoCounters();
    @SuppressWarnings("unused") // through WAKE_STATE
    private volatile int wakeState;
    private volatile boolean closed;

    // Driver-private (see the class comment).
    private final WakeQueue wakes = new WakeQueue();
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    /** Whether the select in progress may block (see {@link Readiness}: what a repeated read event does). */
    private boolean blockingSelect;
    private boolean interruptLogged;

    /**
     * Opens the selector.
     *
     * @throws UncheckedIOException if the selector cannot be opened (out of file descriptors)
     */
    public SelectorDriver() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("async-runtime could not open its I/O selector: " + e.getMessage(), e);
        }
    }

    Selector selector() {
        return selector;
    }

    // ------------------------------------------------------------------ Driver (the holder)

    @Override
    public void park(long timeoutNanos, boolean runtimeIdle) {
        if (closed) {
            return;
        }
        counters.add(IoCounters.TURNS, 1);
        try {
            if (timeoutNanos != 0 && wakes.isEmpty() && announceSelecting()) {
                try {
                    applyInterestRequests();
                    clearStaleInterrupt();
                    counters.add(IoCounters.BLOCKING_SELECTS, 1);
                    blockingSelect = true;
                    if (timeoutNanos < 0) {
                        selector.select(dispatch);
                    } else {
                        selector.select(dispatch, millisRoundedUp(timeoutNanos));
                    }
                } finally {
                    blockingSelect = false;
                    // A NOTIFIED set meanwhile is consumed here: its wakeup() ended this select,
                    // or (if it came after the select returned) makes the next one return at once.
                    WAKE_STATE.setVolatile(this, AWAKE);
                }
            } else {
                WAKE_STATE.compareAndSet(this, NOTIFIED, AWAKE); // this park returns now: that is the notification
                applyInterestRequests();
                if (!selector.keys().isEmpty()) {               // nothing registered: skip the system call
                    selector.selectNow(dispatch);
                }
            }
        } catch (ClosedSelectorException shutDown) {
            return;
        } catch (IOException e) {
            LOG.error("async-runtime I/O selector failed; the driver goes on", e);
        }
        wakes.wake(WAKES_PER_TURN);
    }

    /** AWAKE → SELECTING; false (and the notification consumed) if an unpark came first. */
    private boolean announceSelecting() {
        if (WAKE_STATE.compareAndSet(this, AWAKE, SELECTING)) {
            return true;
        }
        WAKE_STATE.setVolatile(this, AWAKE);
        return false;
    }

    /**
     * A task that interrupted its worker thread leaves the flag set; a select on an interrupted
     * thread returns at once, every time, so the driver would spin. The runtime never uses
     * interrupts to wake the driver (it uses {@link #unpark}), so the flag is cleared here.
     */
    private void clearStaleInterrupt() {
        if (Thread.interrupted() && !interruptLogged) {
            interruptLogged = true;
            LOG.debug("cleared an interrupt left on async-runtime worker {} before selecting",
                    Thread.currentThread().getName());
        }
    }

    static long millisRoundedUp(long nanos) {
        return nanos / 1_000_000L + (nanos % 1_000_000L == 0 ? 0 : 1);
    }

    private void applyInterestRequests() {
        SelectorRegistration r = inbox.takeAll();
        while (r != null) {
            SelectorRegistration next = r.inboxNext;
            r.inboxNext = null;                                   // before QUEUED clears: the owner may push again
            r.applyInterest(counters);
            r = next;
        }
    }

    private void dispatch(SelectionKey key) {
        int readyOps;
        try {
            readyOps = key.readyOps();
        } catch (CancelledKeyException closedMeanwhile) {
            return;
        }
        counters.add(IoCounters.READY_EVENTS, 1);
        ((SelectorRegistration) key.attachment()).onReady(readyOps, blockingSelect, wakes, counters);
    }

    @Override
    public void unpark() {
        if ((int) WAKE_STATE.getVolatile(this) != NOTIFIED
                && (int) WAKE_STATE.getAndSet(this, NOTIFIED) == SELECTING) {
            wakeSelector();
        }
    }

    /** Wakes the holder only if it blocks (or is about to block) in select; see the class comment. */
    void wakeIfSelecting() {
        if ((int) WAKE_STATE.getVolatile(this) == SELECTING && WAKE_STATE.compareAndSet(this, SELECTING, NOTIFIED)) {
            wakeSelector();
        }
    }

    private void wakeSelector() {
        counters.addAtomic(IoCounters.WAKEUPS, 1);
        selector.wakeup();
    }

    /**
     * Closes every registered channel (their waiting tasks are woken and see the registration
     * closed: a task on a worker is then cancelled by the stopped scheduler, one in
     * {@code blockOn} fails with an {@code IOException} naming the shutdown), then the selector.
     * Called once, after the workers stopped; later registrations fail. This is the hook a
     * graceful shutdown runs last, after its tasks had their chance to close their own sockets.
     */
    @Override
    public void shutdown() {
        closed = true;
        for (SelectorRegistration r : registrations) {
            try {
                r.close(SHUTDOWN_REASON);
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing {} at shutdown failed", r, e);
            }
        }
        unpark();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.warn("async-runtime could not close its I/O selector", e);
        }
    }

    // ------------------------------------------------------------------ IoDriver (any thread)

    @Override
    public IoRegistration register(SelectableChannel channel) throws IOException {
        if (channel == null) {
            throw new NullPointerException("channel must not be null");
        }
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("channel must be in non-blocking mode: " + channel);
        }
        SelectorRegistration r = new SelectorRegistration(this, channel);
        registrations.add(r);
        // Dekker with shutdown(): it sets closed, then walks the set; here the add comes first, then the read.
        if (closed) {
            registrations.remove(r);
            throw new IOException(SHUTDOWN_REASON + ": it accepts no new channels");
        }
        counters.addAtomic(IoCounters.REGISTRATIONS, 1);
        return r;
    }

    /** A registration's owner asked for interest (its CAS set QUEUED). */
    void interestRequested(SelectorRegistration r) {
        inbox.push(r);
        wakeIfSelecting();
    }

    /** A registration closed; if it had a key, a blocked select must come round to release the socket. */
    void closed(SelectorRegistration r, boolean keyed) {
        registrations.remove(r);
        if (keyed) {
            wakeIfSelecting();
        }
    }

    /** A snapshot of the counters; any thread. */
    public IoStats stats() {
        return new IoStats(registrations.size(), counters.get(IoCounters.REGISTRATIONS),
                counters.get(IoCounters.READY_EVENTS), counters.get(IoCounters.TURNS),
                counters.get(IoCounters.BLOCKING_SELECTS), counters.get(IoCounters.WAKEUPS),
                counters.get(IoCounters.REARMS), counters.get(IoCounters.DISARMS));
    }

    /** Whether {@link #shutdown} ran. */
    public boolean isShutdown() {
        return closed;
    }
}

package io.asyncruntime.internal.time;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Wraps a task that is polled outside the workers (the root task of {@code blockOn}) so that a
 * paused clock never auto-advances while that task is runnable: from the moment it is woken
 * until its poll returns pending. The workers' idleness alone cannot see that thread, and a jump
 * in between would fire a long timeout before the task could arm its shorter timer.
 *
 * <h2>States</h2>
 * <pre>
 *   IDLE              pending, not woken                 auto-advance allowed
 *   NOTIFIED          woken, not yet polled              inhibited
 *   RUNNING           in poll                            inhibited
 *   RUNNING_NOTIFIED  woken (or yielding) during a poll  inhibited
 *   DONE              finished or cancelled; terminal    allowed
 * </pre>
 * Transitions: wake IDLE→NOTIFIED, RUNNING→RUNNING_NOTIFIED; poll start IDLE or NOTIFIED→RUNNING
 * (a poll without a wake is legal: {@code blockOn} re-polls on a stale wake, any executor may
 * poll spuriously); yield or spent budget RUNNING→RUNNING_NOTIFIED; poll end pending
 * RUNNING→IDLE, RUNNING_NOTIFIED→NOTIFIED (a re-poll is due); ready, failure or cancel →DONE.
 *
 * <p>The invariant: this guard adds exactly 1 to the driver's inhibitor count while its state is
 * inhibiting, 0 otherwise (at every instant at least that, see {@link #transition}). Every
 * transition is one CAS (or exchange) on the state, and only the thread whose CAS moves the state
 * across the inhibiting boundary adjusts the count, by the difference of the two states'
 * contributions. So a transition repeated, reordered or raced cannot count twice or release an
 * inhibition never taken, whatever order wakes and polls come in. (Before, the count moved in pairs around assumed states, and a poll that came without a
 * wake released an inhibition it had never taken: the count went to -1 and auto-advance stopped.)
 */
final class AutoAdvanceGuard<T> implements Task<T>, Context, Waker {

    private static final int IDLE = 0;
    private static final int NOTIFIED = 1;
    private static final int RUNNING = 2;
    private static final int RUNNING_NOTIFIED = 3;
    private static final int DONE = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(AutoAdvanceGuard.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimeDriver driver;
    private final Task<T> task;
    /** The context of the current poll; its waker is the one we forward to. */
    private Context outer;
    private volatile Waker outerWaker;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    AutoAdvanceGuard(TimeDriver driver, Task<T> task) {
        this.driver = driver;
        this.task = task;
        // Runnable from the start (the first poll is coming): NOTIFIED, and its inhibition.
        this.state = NOTIFIED;
        driver.inhibitAutoAdvance();
    }

    private static boolean inhibits(int state) {
        return state == NOTIFIED || state == RUNNING || state == RUNNING_NOTIFIED;
    }

    /** Whether this guard holds an inhibition now; for tests and diagnostics. */
    boolean isInhibiting() {
        return inhibits(state);
    }

    /**
     * CAS {@code from → to}, keeping the driver's count at or above this guard's contribution at
     * every instant: an inhibition is taken before the CAS that makes the state inhibiting (and
     * given back if the CAS fails), and released only after the CAS that leaves such a state. So
     * the count may briefly over-state what is runnable (auto-advance waits a moment), never
     * under-state it (no jump while the task runs).
     */
    private boolean transition(int from, int to) {
        boolean takes = !inhibits(from) && inhibits(to);
        if (takes) {
            driver.inhibitAutoAdvance();
        }
        if (!STATE.compareAndSet(this, from, to)) {
            if (takes) {
                driver.allowAutoAdvance();
            }
            return false;
        }
        if (inhibits(from) && !inhibits(to)) {
            driver.allowAutoAdvance();
        }
        return true;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        outer = cx;
        if (outerWaker != cx.waker()) {
            outerWaker = cx.waker();
        }
        startPoll();
        Poll<T> result;
        try {
            result = task.poll(this);
        } catch (Throwable e) {
            // Throwable, not Exception | Error: a poll may sneak-throw any throwable, and whatever
            // ends the poll abnormally ends the task, so its inhibition must go (precise rethrow
            // keeps the declared type Exception).
            finish();
            throw e;
        }
        if (result.isReady()) {
            finish();
            return result;
        }
        endPendingPoll();
        return result;
    }

    /** IDLE or NOTIFIED → RUNNING: inhibited while polled, whether or not a wake came first. */
    private void startPoll() {
        for (;;) {
            int s = state;
            if (s == DONE) {
                throw new IllegalStateException("a finished or cancelled task was polled again");
            }
            if (s == RUNNING || s == RUNNING_NOTIFIED) {
                return; // a poll from inside its own poll: already running
            }
            if (transition(s, RUNNING)) {
                return;
            }
        }
    }

    /** RUNNING → IDLE allows a jump; RUNNING_NOTIFIED → NOTIFIED stays inhibited (a re-poll is due). */
    private void endPendingPoll() {
        for (;;) {
            int s = state;
            if (s != RUNNING && s != RUNNING_NOTIFIED) {
                return; // only the owner leaves RUNNING*, and it is here
            }
            if (transition(s, s == RUNNING ? IDLE : NOTIFIED)) {
                return;
            }
        }
    }

    /** Finished or cancelled: a registration of this guard as a waker has nobody left to wake. */
    @Override
    public boolean isObsolete() {
        return state == DONE;
    }

    @Override
    public void wake() {
        for (;;) {
            int s = state;
            if (s == NOTIFIED || s == RUNNING_NOTIFIED || s == DONE) {
                break;
            }
            if (transition(s, s == IDLE ? NOTIFIED : RUNNING_NOTIFIED)) {
                break;
            }
        }
        outerWaker.wake();
    }

    @Override
    public void cancel() {
        // A cancel() that throws still ends the task for us: without the finally a guard woken
        // before the cancel would keep its inhibition, and the paused clock never auto-advance again.
        try {
            task.cancel();
        } finally {
            finish();
        }
    }

    private void finish() {
        int previous = (int) STATE.getAndSet(this, DONE);
        if (inhibits(previous)) {
            driver.allowAutoAdvance(); // after leaving the inhibiting state (see transition)
        }
    }

    @Override
    public Waker waker() {
        return this;
    }

    /** A spent budget re-polls the task without a wake: it stays runnable, so stays inhibited. */
    @Override
    public boolean consumeBudget() {
        if (outer.consumeBudget()) {
            return true;
        }
        transition(RUNNING, RUNNING_NOTIFIED);
        return false;
    }

    @Override
    public void requestYield() {
        transition(RUNNING, RUNNING_NOTIFIED);
        outer.requestYield();
    }
}

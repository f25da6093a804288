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
 * <p>States: IDLE (pending, not woken: auto-advance allowed), NOTIFIED (woken, not yet polled),
 * RUNNING (in poll), RUNNING_NOTIFIED (woken during its poll), DONE. The driver is inhibited in
 * NOTIFIED, RUNNING and RUNNING_NOTIFIED; only the transitions out of those into IDLE or DONE,
 * and from IDLE into NOTIFIED, touch it.
 */
final class AutoAdvanceGuard<T> implements Task<T>, Context, Waker {

    private static final int IDLE = 0;
    private static final int NOTIFIED = 1;
    private static final int RUNNING = 2;
    private static final int RUNNING_NOTIFIED = 3;
    /** Finished or cancelled: wakes no longer inhibit. */
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
    @SuppressWarnings("unused")
    private volatile int state;

    AutoAdvanceGuard(TimeDriver driver, Task<T> task) {
        this.driver = driver;
        this.task = task;
        // Runnable from the start: the first poll is coming.
        this.state = NOTIFIED;
        driver.inhibitAutoAdvance();
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        outer = cx;
        if (outerWaker != cx.waker()) {
            outerWaker = cx.waker();
        }
        STATE.setVolatile(this, RUNNING);
        Poll<T> result;
        try {
            result = task.poll(this);
        } catch (Exception | Error e) {
            finish();
            throw e;
        }
        if (result.isReady()) {
            finish();
            return result;
        }
        // RUNNING -> IDLE allows a jump; RUNNING_NOTIFIED -> NOTIFIED stays inhibited (a re-poll is due).
        if (STATE.compareAndSet(this, RUNNING, IDLE)) {
            driver.allowAutoAdvance();
        } else {
            STATE.setVolatile(this, NOTIFIED);
        }
        return result;
    }

    @Override
    public void wake() {
        for (;;) {
            int s = state;
            if (s == NOTIFIED || s == RUNNING_NOTIFIED || s == DONE) {
                break;
            }
            int next = s == IDLE ? NOTIFIED : RUNNING_NOTIFIED;
            if (STATE.compareAndSet(this, s, next)) {
                if (s == IDLE) {
                    driver.inhibitAutoAdvance();
                }
                break;
            }
        }
        outerWaker.wake();
    }

    @Override
    public void cancel() {
        task.cancel();
        finish();
    }

    private void finish() {
        int previous = (int) STATE.getAndSet(this, DONE);
        if (previous != IDLE && previous != DONE) {
            driver.allowAutoAdvance();
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
        STATE.compareAndSet(this, RUNNING, RUNNING_NOTIFIED);
        return false;
    }

    @Override
    public void requestYield() {
        STATE.compareAndSet(this, RUNNING, RUNNING_NOTIFIED);
        outer.requestYield();
    }
}

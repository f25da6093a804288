package io.asyncruntime.time;

import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerEntry;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;

/**
 * {@link Time#timeout}: polls the inner task first, then its own timer entry (it is one), so a
 * result that is ready wins over a timer that fired in the same tick. The timer is not subject to
 * the cooperative budget (as in Tokio, where the inner task may have spent it): a timeout can
 * always fire.
 */
final class Timeout<T> extends TimerEntry implements Task<T> {

    private final Duration duration;
    private final Task<T> inner;
    private boolean started;

    Timeout(Duration duration, Task<T> inner) {
        this.duration = Durations.requireDelay(duration, "duration");
        if (inner == null) {
            throw new NullPointerException("task must not be null");
        }
        this.inner = inner;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (!started) {
            TimeDriver driver = TimeDriver.current();
            started = true;
            if (!duration.isZero()) {
                arm(driver, driver.nanoTime() + duration.toNanos(), cx.waker());
            }
        }
        Poll<T> result;
        try {
            result = inner.poll(cx);
        } catch (Exception | Error failure) {
            cancelTimer();
            throw failure;
        }
        if (result.isReady()) {
            cancelTimer();
            return result;
        }
        // A zero duration never armed the entry, whose initial state is "elapsed".
        if (pollElapsed(cx.waker())) {
            inner.cancel();
            throw new TaskTimeoutException(duration);
        }
        return Poll.pending();
    }

    @Override
    public void cancel() {
        cancelTimer();
        inner.cancel();
    }

    @Override
    public String toString() {
        return "Time.timeout(" + duration + ", " + inner + ")";
    }
}

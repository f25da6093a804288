package io.asyncruntime.task;

/**
 * A leaf task for tests: pending until {@link #complete} or {@link #fail}, and it records whether
 * it was cancelled and how often it was polled.
 */
final class Probe<T> implements Task<T> {

    private volatile boolean done;
    private volatile T value;
    private volatile Throwable failure;
    private volatile Waker waker;
    volatile boolean cancelled;
    volatile int polls;

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        polls++;
        if (cancelled) {
            throw new AssertionError("a cancelled task was polled");
        }
        if (done) {
            if (failure != null) {
                throw (Exception) failure;
            }
            return Poll.ready(value);
        }
        waker = cx.waker();
        return Poll.pending();
    }

    boolean isDone() {
        return done;
    }

    void complete(T result) {
        value = result;
        done = true;
        wakeIfWaiting();
    }

    void fail(Exception error) {
        failure = error;
        done = true;
        wakeIfWaiting();
    }

    private void wakeIfWaiting() {
        Waker w = waker;
        if (w != null) {
            w.wake();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }
}

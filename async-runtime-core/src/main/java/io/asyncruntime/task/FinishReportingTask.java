package io.asyncruntime.task;

/**
 * A task that runs another and reports, exactly once, that it finished: its poll returned a
 * value, its poll threw, or it was cancelled. {@link JoinSet} and {@link TaskTracker} count their
 * tasks through it.
 *
 * <p>Invariant: {@link #onFinished()} runs at most once. The runtime never polls and cancels one
 * task at the same time (see {@link Task#cancel()}), so the flag needs no atomics.
 *
 * @param <T> the inner task's value type
 */
abstract class FinishReportingTask<T> implements Task<T> {

    private final Task<T> inner;
    private boolean reported;

    FinishReportingTask(Task<T> inner) {
        this.inner = inner;
    }

    /** The inner task finished or was cancelled; called once, on the thread that saw it. */
    abstract void onFinished();

    @Override
    public final Poll<T> poll(Context cx) throws Exception {
        Poll<T> polled;
        try {
            polled = inner.poll(cx);
        } catch (Throwable failure) {
            report();
            throw Failures.rethrow(failure);
        }
        if (polled.isReady()) {
            report();
        }
        return polled;
    }

    @Override
    public final void cancel() {
        try {
            inner.cancel();
        } finally {
            report();
        }
    }

    private void report() {
        if (!reported) {
            reported = true;
            onFinished();
        }
    }
}

package io.asyncruntime.task;

/**
 * The task of {@link CancellationToken#runUntilCancelled}: polls the token's wait first (biased,
 * as Tokio's {@code run_until_cancelled}), then the inner task. Whichever finishes first cancels
 * the other, so nothing stays registered on the token once this task is done or dropped.
 */
final class RunUntilCancelled<T> implements Task<T> {

    private final WaitForCancellation cancellation;
    private final Task<T> inner;
    private boolean finished;

    RunUntilCancelled(CancellationToken token, Task<T> inner) {
        this.cancellation = new WaitForCancellation(token);
        this.inner = inner;
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        if (finished) {
            throw new IllegalStateException("a finished runUntilCancelled task was polled again");
        }
        if (cancellation.poll(cx).isReady()) {
            finished = true;
            TaskCancelledException cancelled =
                    new TaskCancelledException("the task was cancelled: its CancellationToken was cancelled first");
            Failures.cancelQuietly(inner, cancelled);
            throw cancelled;
        }
        Poll<T> polled;
        try {
            polled = inner.poll(cx);
        } catch (Throwable failure) {
            finished = true;
            cancellation.cancel();
            throw Failures.rethrow(failure);
        }
        if (polled.isReady()) {
            finished = true;
            cancellation.cancel();
        }
        return polled;
    }

    @Override
    public void cancel() {
        if (!finished) {
            finished = true;
            cancellation.cancel();
            Failures.cancelQuietly(inner, null);
        }
    }
}

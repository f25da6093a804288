package io.asyncruntime.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Awaits a {@link CompletionStage}: the bridge from futures-based libraries into tasks.
 *
 * <p>The completion callback is attached on the first poll (tasks are lazy) and wakes the latest
 * waker. A {@code CompletionStage} offers no way to detach a callback, so cancelling this task
 * only makes the callback do nothing; the stage itself is not cancelled (it may be shared).
 */
final class FromStage<T> implements Task<T> {

    private static final Object NOT_DONE = new Object();
    private static final VarHandle OUTCOME;
    private static final VarHandle WAKER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OUTCOME = lookup.findVarHandle(FromStage.class, "outcome", Object.class);
            WAKER = lookup.findVarHandle(FromStage.class, "waker", Waker.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CompletionStage<? extends T> stage;
    private boolean attached;
    /** NOT_DONE, the value, or a {@link Failure}; written once by the stage's callback (release). */
    @SuppressWarnings("unused")
    private Object outcome = NOT_DONE;
    /** The waker to call on completion; null after cancel. Updated on each pending poll. */
    @SuppressWarnings("unused")
    private Waker waker;

    FromStage(CompletionStage<? extends T> stage) {
        if (stage == null) {
            throw new NullPointerException("stage must not be null");
        }
        this.stage = stage;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<T> poll(Context cx) throws Exception {
        Object done = OUTCOME.getAcquire(this);
        if (done == NOT_DONE && !attached && stage instanceof CompletableFuture<?> future && future.isDone()) {
            complete(future.handle((v, e) -> e == null ? v : new Failure(Failures.unwrap(e))).join());
            done = OUTCOME.getAcquire(this);
        }
        if (done == NOT_DONE) {
            WAKER.setRelease(this, cx.waker());
            if (!attached) {
                attached = true;
                stage.whenComplete((value, error) -> {
                    complete(error == null ? value : new Failure(Failures.unwrap(error)));
                    Waker w = (Waker) WAKER.getAcquire(this);
                    if (w != null) {
                        w.wake();
                    }
                });
            }
            done = OUTCOME.getAcquire(this);
            if (done == NOT_DONE) {
                return Poll.pending();
            }
        }
        if (done instanceof Failure failure) {
            throw Failures.rethrow(failure.cause);
        }
        return Poll.ready((T) done);
    }

    private void complete(Object result) {
        OUTCOME.setRelease(this, result);
    }

    @Override
    public void cancel() {
        WAKER.setRelease(this, null);
    }

    /** A failed outcome, boxed so that a value that happens to be a Throwable stays a value. */
    private record Failure(Throwable cause) {
    }
}

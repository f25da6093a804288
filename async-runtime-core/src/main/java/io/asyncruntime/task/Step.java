package io.asyncruntime.task;

/**
 * One turn of a {@link Task#loop loop}: either go round again with a new state, or stop with a
 * result.
 *
 * @param <S> the loop state
 * @param <R> the loop's result
 */
public final class Step<S, R> {

    private final boolean done;
    private final Object value;

    private Step(boolean done, Object value) {
        this.done = done;
        this.value = value;
    }

    /** Goes round the loop again with {@code state}. */
    public static <S, R> Step<S, R> next(S state) {
        return new Step<>(false, state);
    }

    /** Ends the loop with {@code result}. */
    public static <S, R> Step<S, R> done(R result) {
        return new Step<>(true, result);
    }

    /** Whether this step ends the loop. */
    public boolean isDone() {
        return done;
    }

    @SuppressWarnings("unchecked")
    S state() {
        return (S) value;
    }

    @SuppressWarnings("unchecked")
    R result() {
        return (R) value;
    }

    @Override
    public String toString() {
        return (done ? "Step.done(" : "Step.next(") + value + ")";
    }
}

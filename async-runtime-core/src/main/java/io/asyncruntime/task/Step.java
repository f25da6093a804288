package io.asyncruntime.task;

/**
 * One turn of a {@link Task#loop loop}: either go round again with a new state, or stop with a
 * result.
 *
 * @param <S> the loop state
 * @param <R> the loop's result
 */
public final class Step<S, R> {

    // Steps are immutable, so the two without a value are shared: a loop that carries no state
    // (Step.next(null)) or ends with no result (Step.done(null)) allocates nothing per turn.
    private static final Step<?, ?> NEXT_WITHOUT_STATE = new Step<>(false, null);
    private static final Step<?, ?> DONE_WITHOUT_RESULT = new Step<>(true, null);

    private final boolean done;
    private final Object value;

    private Step(boolean done, Object value) {
        this.done = done;
        this.value = value;
    }

    /** Goes round the loop again with {@code state}. */
    @SuppressWarnings("unchecked")
    public static <S, R> Step<S, R> next(S state) {
        return state == null ? (Step<S, R>) NEXT_WITHOUT_STATE : new Step<>(false, state);
    }

    /** Ends the loop with {@code result}. */
    @SuppressWarnings("unchecked")
    public static <S, R> Step<S, R> done(R result) {
        return result == null ? (Step<S, R>) DONE_WITHOUT_RESULT : new Step<>(true, result);
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

package io.asyncruntime.task;

import java.util.function.Function;

/**
 * Repeats a body until it returns {@link Step#done}: the async {@code while} loop, in constant
 * stack however many turns it takes. Each turn after the first spends one budget unit, so a
 * loop whose body is always ready still yields its worker regularly.
 */
final class Loop<S, R> implements Task<R> {

    private final Function<? super S, ? extends Task<Step<S, R>>> body;
    private S state;
    private Task<Step<S, R>> turn;

    Loop(S seed, Function<? super S, ? extends Task<Step<S, R>>> body) {
        if (body == null) {
            throw new NullPointerException("loop body must not be null");
        }
        this.state = seed;
        this.body = body;
    }

    @Override
    public Poll<R> poll(Context cx) throws Exception {
        for (;;) {
            if (turn == null) {
                turn = body.apply(state);
                if (turn == null) {
                    throw new NullPointerException("the loop body returned null instead of a task");
                }
            }
            Poll<Step<S, R>> polled = turn.poll(cx);
            if (polled.isPending()) {
                return Poll.pending();
            }
            turn = null;
            Step<S, R> step = polled.value();
            if (step == null) {
                throw new NullPointerException("a loop turn completed with null instead of a Step");
            }
            if (step.isDone()) {
                return Poll.ready(step.result());
            }
            state = step.state();
            if (!cx.consumeBudget()) {
                return Poll.pending();
            }
        }
    }

    @Override
    public void cancel() {
        if (turn != null) {
            Task<?> running = turn;
            turn = null;
            running.cancel();
        }
    }
}

package io.asyncruntime.task;

import java.util.List;
import java.util.function.Function;

/**
 * Polls branches in order and finishes with the first one that finishes, value or failure; every
 * other branch is cancelled at that moment (the losers of a {@code select} never run again).
 *
 * <p>Each branch carries the function that turns its value into the race's result, so branches of
 * different types can race ({@code select}). Polling is in declaration order: when several
 * branches are ready in the same poll, the first declared wins (biased, like {@code select!}
 * with {@code biased;} in Tokio).
 */
final class Race<R> implements Task<R> {

    private final Task<?>[] branches;
    private final Function<Object, ? extends R>[] results;
    private boolean finished;

    @SuppressWarnings("unchecked")
    Race(List<? extends Task<?>> tasks, List<? extends Function<?, ? extends R>> mappers) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a race needs at least one task");
        }
        this.branches = tasks.toArray(new Task[0]);
        this.results = mappers.toArray(new Function[0]);
        for (int i = 0; i < branches.length; i++) {
            if (branches[i] == null) {
                throw new NullPointerException("task at index " + i + " is null");
            }
            if (results[i] == null) {
                throw new NullPointerException("result function at index " + i + " is null");
            }
        }
    }

    @Override
    public Poll<R> poll(Context cx) throws Exception {
        if (finished) {
            throw new IllegalStateException("a finished race was polled again");
        }
        for (int i = 0; i < branches.length; i++) {
            Poll<?> polled;
            try {
                polled = branches[i].poll(cx);
            } catch (Throwable t) {
                finish(i, t);
                throw Failures.rethrow(t);
            }
            if (polled.isReady()) {
                finish(i, null);
                return Poll.ready(results[i].apply(polled.value()));
            }
        }
        return Poll.pending();
    }

    private void finish(int winner, Throwable failure) {
        finished = true;
        for (int i = 0; i < branches.length; i++) {
            if (i != winner) {
                Failures.cancelQuietly(branches[i], failure);
            }
        }
    }

    @Override
    public void cancel() {
        if (!finished) {
            finish(-1, null);
        }
    }
}

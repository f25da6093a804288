package io.asyncruntime.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Runs tasks concurrently inside one task and collects their values in order.
 *
 * <p>{@code all}: waits for every branch; if any failed, fails with the first failure (in
 * completion order) once all are done, the other failures attached as suppressed. {@code tryAll}:
 * the first failure cancels every unfinished branch and fails at once.
 *
 * <p>Every poll re-polls each unfinished branch with the parent's context, so all branches share
 * one waker; a wake from any branch re-polls the unfinished ones (cost O(unfinished) per wake).
 */
final class All<T> implements Task<List<T>> {

    private final Task<? extends T>[] branches;
    private final Object[] values;
    private final boolean failFast;
    private int remaining;
    private Throwable failure;

    @SuppressWarnings("unchecked")
    All(List<? extends Task<? extends T>> tasks, boolean failFast) {
        if (tasks == null) {
            throw new NullPointerException("tasks must not be null");
        }
        this.branches = tasks.toArray(new Task[0]);
        for (int i = 0; i < branches.length; i++) {
            if (branches[i] == null) {
                throw new NullPointerException("task at index " + i + " is null");
            }
        }
        this.values = new Object[branches.length];
        this.remaining = branches.length;
        this.failFast = failFast;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<List<T>> poll(Context cx) throws Exception {
        for (int i = 0; i < branches.length && remaining > 0; i++) {
            Task<? extends T> branch = branches[i];
            if (branch == null) {
                continue;
            }
            Poll<? extends T> polled;
            try {
                polled = branch.poll(cx);
            } catch (Throwable t) {
                branches[i] = null;
                remaining--;
                if (failure == null) {
                    failure = t;
                } else if (failure != t) {
                    failure.addSuppressed(t);
                }
                if (failFast) {
                    cancelUnfinished();
                    throw Failures.rethrow(failure);
                }
                continue;
            }
            if (polled.isReady()) {
                branches[i] = null;
                values[i] = polled.value();
                remaining--;
            }
        }
        if (remaining > 0) {
            return Poll.pending();
        }
        if (failure != null) {
            throw Failures.rethrow(failure);
        }
        List<T> result = new ArrayList<>(values.length);
        for (Object value : values) {
            result.add((T) value);
        }
        Arrays.fill(values, null);
        return Poll.ready(Collections.unmodifiableList(result));
    }

    private void cancelUnfinished() {
        for (int i = 0; i < branches.length; i++) {
            Task<? extends T> branch = branches[i];
            if (branch != null) {
                branches[i] = null;
                Failures.cancelQuietly(branch, failure);
            }
        }
        remaining = 0;
    }

    @Override
    public void cancel() {
        cancelUnfinished();
    }
}

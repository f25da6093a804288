package io.asyncruntime.task;

import java.util.Objects;

/**
 * The result of one {@link Task#poll(Context) poll}: ready with a value, or pending.
 *
 * <p>Pending and ready-with-{@code null} are shared constants, so a poll that is not ready, or
 * ready with no value ({@code Task<Void>}), allocates nothing.
 *
 * @param <T> the task's value type
 */
public final class Poll<T> {

    private static final Poll<?> PENDING = new Poll<>(null, false);
    private static final Poll<?> READY_NULL = new Poll<>(null, true);

    private final T value;
    private final boolean ready;

    private Poll(T value, boolean ready) {
        this.value = value;
        this.ready = ready;
    }

    /** Not ready: the task has arranged for its waker to be woken. */
    @SuppressWarnings("unchecked")
    public static <T> Poll<T> pending() {
        return (Poll<T>) PENDING;
    }

    /** Ready with {@code value} ({@code null} allowed). */
    @SuppressWarnings("unchecked")
    public static <T> Poll<T> ready(T value) {
        return value == null ? (Poll<T>) READY_NULL : new Poll<>(value, true);
    }

    /** Whether the task is done. */
    public boolean isReady() {
        return ready;
    }

    /** Whether the task is not done yet. */
    public boolean isPending() {
        return !ready;
    }

    /**
     * The value of a ready poll.
     *
     * @throws IllegalStateException if the poll is pending
     */
    public T value() {
        if (!ready) {
            throw new IllegalStateException("Poll.value() called on a pending poll");
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Poll<?> that && ready == that.ready && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return ready ? 31 + Objects.hashCode(value) : 0;
    }

    @Override
    public String toString() {
        return ready ? "Poll.ready(" + value + ")" : "Poll.pending()";
    }
}

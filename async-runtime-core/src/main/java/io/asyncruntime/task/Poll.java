package io.asyncruntime.task;

import java.util.Objects;

/**
 * The result of one {@link Task#poll(Context) poll}: ready with a value, or pending.
 *
 * <p>Pending and ready-with-{@code null} are shared constants, so a poll that is not ready, or
 * ready with no value ({@code Task<Void>}), allocates nothing. A ready poll with a value is one
 * 16-byte object: "pending" is the identity of the shared constant, not a field, so the object is
 * a header and one reference.
 *
 * @param <T> the task's value type
 */
public final class Poll<T> {

    private static final Poll<?> PENDING = new Poll<>(null);
    private static final Poll<?> READY_NULL = new Poll<>(null);

    private final T value;

    private Poll(T value) {
        this.value = value;
    }

    /** Not ready: the task has arranged for its waker to be woken. */
    @SuppressWarnings("unchecked")
    public static <T> Poll<T> pending() {
        return (Poll<T>) PENDING;
    }

    /** Ready with {@code value} ({@code null} allowed). */
    @SuppressWarnings("unchecked")
    public static <T> Poll<T> ready(T value) {
        return value == null ? (Poll<T>) READY_NULL : new Poll<>(value);
    }

    /** Whether the task is done. */
    public boolean isReady() {
        return this != PENDING;
    }

    /** Whether the task is not done yet. */
    public boolean isPending() {
        return this == PENDING;
    }

    /**
     * The value of a ready poll.
     *
     * @throws IllegalStateException if the poll is pending
     */
    public T value() {
        if (this == PENDING) {
            throw new IllegalStateException("Poll.value() called on a pending poll");
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Poll<?> that && isReady() == that.isReady() && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return isReady() ? 31 + Objects.hashCode(value) : 0;
    }

    @Override
    public String toString() {
        return isReady() ? "Poll.ready(" + value + ")" : "Poll.pending()";
    }
}

package io.asyncruntime.sync;

import io.asyncruntime.task.Task;
import java.util.Optional;

/**
 * An asynchronous mutual-exclusion lock around a value: a task that {@link #lock()}s it waits
 * without blocking a thread, and holds it across awaits. Tokio's {@code Mutex}, built the same way
 * on a one-permit fair semaphore.
 *
 * <pre>{@code
 * Mutex<Connection> connection = new Mutex<>(open());
 * Task<Reply> call = connection.lock().flatMap(guard ->
 *         guard.get().send(request).map(reply -> { guard.close(); return reply; }));
 * }</pre>
 *
 * <p>Fair: tasks get the lock in the order they asked for it. There is no poisoning: a task that
 * fails while holding the guard should close it in a {@code recover}, or the lock stays held.
 * Use a plain lock instead when the critical section has no await in it.
 *
 * <p>Cancellation is dropping: a cancelled {@code lock()} leaves the queue (and hands the lock on if
 * it had just been given it), so it never keeps the lock. A completed {@code lock()} spends one
 * unit of the cooperative budget. Locking an unlocked mutex is one CAS; the lock task is also the
 * {@link Guard} it produces, one object per lock. Thread-safe.
 *
 * @param <T> the guarded value's type; null is a legal value
 */
public final class Mutex<T> {

    private final BatchSemaphore permit = new BatchSemaphore(1);
    /**
     * Read and written only by the guard holder. The lock hand-over (an RMW on the semaphore word,
     * or a grant under its lock read through a volatile phase) orders one holder's writes before
     * the next holder's reads.
     */
    private T value;

    /** A mutex around {@code value} ({@code null} allowed), unlocked. */
    public Mutex(T value) {
        this.value = value;
    }

    /** A task that waits for the lock and completes with its guard. */
    public Task<Guard<T>> lock() {
        return new MutexLock<>(this);
    }

    /** The lock's guard if the mutex is unlocked and nobody waits for it; otherwise empty. */
    public Optional<Guard<T>> tryLock() {
        if (permit.tryAcquire(1) == BatchSemaphore.ACQUIRED) {
            return Optional.of(MutexLock.taken(this));
        }
        return Optional.empty();
    }

    /** Whether a task holds the lock, or it is being handed to one (a snapshot). */
    public boolean isLocked() {
        return permit.available() == 0;
    }

    @Override
    public String toString() {
        return isLocked() ? "Mutex[locked]" : "Mutex[unlocked]";
    }

    BatchSemaphore permit() {
        return permit;
    }

    T value() {
        return value;
    }

    void value(T newValue) {
        value = newValue;
    }

    /** For tests and diagnostics: how many tasks wait for the lock. */
    int waiterCount() {
        return permit.waiterCount();
    }

    /**
     * The held lock of a {@link Mutex}: read and replace the value while holding it, and
     * {@link #close()} it to unlock (only the first close does). Use it from the task that locked.
     *
     * @param <T> the value's type
     */
    public sealed interface Guard<T> extends AutoCloseable permits MutexLock {

        /**
         * The guarded value.
         *
         * @throws IllegalStateException if the guard was closed
         */
        T get();

        /**
         * Replaces the guarded value ({@code null} allowed).
         *
         * @throws IllegalStateException if the guard was closed
         */
        void set(T value);

        /** Unlocks: the longest-waiting task gets the lock next. Idempotent. */
        @Override
        void close();
    }
}

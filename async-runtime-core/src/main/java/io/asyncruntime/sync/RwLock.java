package io.asyncruntime.sync;

import io.asyncruntime.task.Task;
import java.util.Optional;

/**
 * An asynchronous readers-writer lock around a value: many readers at once, or one writer.
 * Tokio's {@code RwLock}, built the same way on a fair semaphore: a read takes one permit, a write
 * takes all {@code maxReaders}.
 *
 * <p>Fair, so writers are never starved: requests are served in arrival order, and a writer that
 * waits blocks the readers that come after it (it collects the permits of the readers ahead of it
 * as they leave). A burst of readers that arrived together still reads together.
 *
 * <p>Cancellation is dropping: a cancelled {@code read()} or {@code write()} leaves the queue and
 * gives back the permits it had collected, so it never holds the lock. A completed one spends one
 * unit of the cooperative budget; the uncontended path is one CAS and one object (the task, which
 * is also the guard). Thread-safe.
 *
 * @param <T> the guarded value's type; null is a legal value
 */
public final class RwLock<T> {

    /** The most readers a lock admits at once (and the default): {@value}. */
    public static final int MAX_READERS = BatchSemaphore.MAX_PERMITS;

    private final BatchSemaphore permits;
    private final int maxReaders;
    /**
     * Written only under the write lock, read under a read or the write lock: every hand-over goes
     * through an RMW (or a volatile grant) on the semaphore word, which orders them.
     */
    private T value;

    /** A lock around {@code value} ({@code null} allowed) admitting {@link #MAX_READERS} readers. */
    public RwLock(T value) {
        this(value, MAX_READERS);
    }

    /**
     * A lock around {@code value} admitting at most {@code maxReaders} readers at once.
     *
     * @throws IllegalArgumentException if {@code maxReaders} is not in [1, {@link #MAX_READERS}]
     */
    public RwLock(T value, int maxReaders) {
        if (maxReaders < 1 || maxReaders > MAX_READERS) {
            throw new IllegalArgumentException("maxReaders must be in [1, " + MAX_READERS + "], was " + maxReaders);
        }
        this.permits = new BatchSemaphore(maxReaders);
        this.maxReaders = maxReaders;
        this.value = value;
    }

    /** A task that waits for a read lock and completes with its guard. */
    public Task<ReadGuard<T>> read() {
        return new RwLockRead<>(this);
    }

    /** A task that waits for the write lock and completes with its guard. */
    public Task<WriteGuard<T>> write() {
        return new RwLockWrite<>(this);
    }

    /** A read guard if no writer holds or waits for the lock (and a reader slot is free). */
    public Optional<ReadGuard<T>> tryRead() {
        return permits.tryAcquire(1) == BatchSemaphore.ACQUIRED
                ? Optional.of(RwLockRead.taken(this)) : Optional.empty();
    }

    /** The write guard if nobody holds or waits for the lock. */
    public Optional<WriteGuard<T>> tryWrite() {
        return permits.tryAcquire(maxReaders) == BatchSemaphore.ACQUIRED
                ? Optional.of(RwLockWrite.taken(this)) : Optional.empty();
    }

    /** The most readers admitted at once. */
    public int maxReaders() {
        return maxReaders;
    }

    @Override
    public String toString() {
        int free = permits.available();
        return free == maxReaders ? "RwLock[unlocked]" : "RwLock[" + (maxReaders - free) + " permits held or promised]";
    }

    BatchSemaphore permits() {
        return permits;
    }

    T value() {
        return value;
    }

    void value(T newValue) {
        value = newValue;
    }

    /** For tests and diagnostics: how many read and write requests wait. */
    int waiterCount() {
        return permits.waiterCount();
    }

    /**
     * A held read lock: read the value, then {@link #close()} it (only the first close unlocks).
     *
     * @param <T> the value's type
     */
    public sealed interface ReadGuard<T> extends AutoCloseable permits RwLockRead, WriteGuard {

        /**
         * The guarded value.
         *
         * @throws IllegalStateException if the guard was closed
         */
        T get();

        /** Releases the read lock. Idempotent. */
        @Override
        void close();
    }

    /**
     * The held write lock: read and replace the value, then {@link #close()} it.
     *
     * @param <T> the value's type
     */
    public sealed interface WriteGuard<T> extends ReadGuard<T> permits RwLockWrite {

        /**
         * Replaces the guarded value ({@code null} allowed).
         *
         * @throws IllegalStateException if the guard was closed
         */
        void set(T value);
    }
}

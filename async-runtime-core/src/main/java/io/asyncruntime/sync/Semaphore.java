package io.asyncruntime.sync;

import io.asyncruntime.task.Task;
import java.util.Optional;

/**
 * An asynchronous counting semaphore: tasks wait for permits without blocking a thread.
 *
 * <p>Fair: waiters are served in arrival order, and a large {@link #acquire(int)} at the head of
 * the queue is not overtaken by smaller ones behind it (it collects permits as they are released).
 * {@link #tryAcquire} never takes permits while someone waits.
 *
 * <pre>{@code
 * Semaphore limit = new Semaphore(10);
 * Task<Response> call = limit.acquire().flatMap(permit ->
 *         client.call(request).map(response -> { permit.close(); return response; }));
 * }</pre>
 *
 * <p>Cancellation is dropping: a cancelled {@code acquire} (the loser of a {@code select}, an
 * aborted task) leaves the queue and gives back any permits it was already given, so it never
 * leaks a permit; it loses its place in the queue. Cancelling an acquire that already completed
 * does nothing: its {@link Permit} still holds the permits until closed. An acquire spends one unit of the cooperative
 * budget. The uncontended acquire is one CAS; the acquire task is also the {@link Permit} it
 * produces, so acquiring allocates one object. Thread-safe.
 */
public final class Semaphore {

    /** The most permits a semaphore can hold: {@value}. */
    public static final int MAX_PERMITS = BatchSemaphore.MAX_PERMITS;

    private final BatchSemaphore permits;

    /**
     * A semaphore with {@code permits} free permits.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be in [0, " + MAX_PERMITS + "], was " + permits);
        }
        this.permits = new BatchSemaphore(permits);
    }

    /**
     * A task that waits for one permit and completes with it. Fails with a
     * {@link SemaphoreClosedException} if the semaphore is (or gets) closed first.
     */
    public Task<Permit> acquire() {
        return new SemaphoreAcquire(this.permits, 1);
    }

    /**
     * A task that waits for {@code n} permits, in one piece, and completes with them. Fails with a
     * {@link SemaphoreClosedException} if the semaphore is (or gets) closed first.
     *
     * @throws IllegalArgumentException if {@code n} is not in [1, {@link #MAX_PERMITS}]
     */
    public Task<Permit> acquire(int n) {
        return new SemaphoreAcquire(this.permits, requireCount(n));
    }

    /**
     * Takes one permit if one is free and nobody is waiting; otherwise returns empty at once.
     *
     * @throws SemaphoreClosedException if the semaphore is closed
     */
    public Optional<Permit> tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code n} permits if they are free and nobody is waiting; otherwise returns empty.
     *
     * @throws IllegalArgumentException if {@code n} is not in [1, {@link #MAX_PERMITS}]
     * @throws SemaphoreClosedException if the semaphore is closed
     */
    public Optional<Permit> tryAcquire(int n) {
        requireCount(n);
        switch (permits.tryAcquire(n)) {
            case BatchSemaphore.ACQUIRED:
                return Optional.of(SemaphoreAcquire.taken(permits, n));
            case BatchSemaphore.CLOSED_RESULT:
                throw closed();
            default:
                return Optional.empty();
        }
    }

    /** The permits that are free right now: neither held nor promised to a waiter. */
    public int availablePermits() {
        return permits.available();
    }

    /**
     * Adds {@code n} permits (waiters are served first, in order). Works on a closed semaphore too.
     *
     * @throws IllegalArgumentException if {@code n} is negative, or the free permits would exceed
     *     {@link #MAX_PERMITS}
     */
    public void addPermits(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be in [0, " + MAX_PERMITS + "], was " + n);
        }
        if (n > 0) {
            permits.addPermits(n);
        }
    }

    /**
     * Closes the semaphore: every waiting acquire fails with a {@link SemaphoreClosedException},
     * and so does every later acquire. Permits already held stay valid and can still be closed
     * (given back). Idempotent.
     */
    public void close() {
        permits.close();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return permits.isClosed();
    }

    /** For tests and diagnostics: how many acquires are waiting. */
    int waiterCount() {
        return permits.waiterCount();
    }

    @Override
    public String toString() {
        return "Semaphore[available=" + availablePermits() + (isClosed() ? ", closed]" : "]");
    }

    static SemaphoreClosedException closed() {
        return new SemaphoreClosedException("the semaphore is closed");
    }

    private static int requireCount(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be in [1, " + MAX_PERMITS + "], was " + n);
        }
        return n;
    }

    /**
     * Permits held from a {@link Semaphore}. {@link #close()} gives them back; only the first
     * close does (closing twice is harmless). Use it in try-with-resources, or close it when the
     * work it guards is done. Thread-safe.
     */
    public sealed interface Permit extends AutoCloseable permits SemaphoreAcquire {

        /** How many permits this holds. */
        int permits();

        /** Whether the permits were given back. */
        boolean isClosed();

        /** Gives the permits back to the semaphore (waiters first). Idempotent. */
        @Override
        void close();
    }
}

package io.asyncruntime.sample;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The answer of {@code GET /primes}.
 *
 * @param limit primes were counted in {@code [2, limit]}
 * @param tasks number of tasks the range was split into
 * @param primes number of primes found
 * @param workerThreads the runtime threads that counted, sorted
 */
public record PrimeCount(long limit, int tasks, long primes, SortedSet<String> workerThreads) {

    /** One task's share of the count. */
    record Slice(long primes, String workerThread) {
    }

    static PrimeCount combine(long limit, List<Slice> slices) {
        long primes = 0;
        SortedSet<String> threads = new TreeSet<>();
        for (Slice slice : slices) {
            primes += slice.primes();
            threads.add(slice.workerThread());
        }
        return new PrimeCount(limit, slices.size(), primes, threads);
    }

}

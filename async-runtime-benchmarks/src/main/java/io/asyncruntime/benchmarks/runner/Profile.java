package io.asyncruntime.benchmarks.runner;

import java.util.Map;

/**
 * How long {@code bench.sh} measures. The JIT of this 2-core machine needs at least 10 warm-up
 * iterations before a scheduler's numbers settle (see ARCHITECTURE.md, "Lessons already measured"),
 * so {@code quick} trades iteration length, not iteration count, for its time budget.
 */
enum Profile {
    /** Checks the script end to end in about a minute: tiny sizes, one short iteration. */
    SMOKE(1, 1, 100, 1, 200, 10_000, Map.of(
            "tasks", "100", "yieldingTasks", "10", "yieldsPerTask", "10", "pairs", "10", "chainLength", "10")),
    /**
     * Under 5 minutes for every workload on every implementation on 2 cores. Warm-up is 4 s per
     * fork: this runtime's throughput kept climbing for about 4 s (ForkJoinPool's for under 1 s)
     * in a run with 10 × 200 ms. The footprint uses 200,000 tasks: per-task bytes match the
     * 1,000,000-task figure of the full profile, at a fifth of the time.
     */
    QUICK(1, 10, 400, 5, 300, 200_000, Map.of()),
    /** By hand: 3 forks, so a fork that drew a bad JIT or core placement shows up in the error. */
    FULL(3, 15, 1000, 10, 1000, 1_000_000, Map.of());

    final int forks;
    final int warmupIterations;
    final int warmupMillis;
    final int measurementIterations;
    final int measurementMillis;
    final int footprintTasks;
    /** JMH parameter overrides; parameters a benchmark does not declare are ignored. */
    final Map<String, String> sizes;

    Profile(int forks, int warmupIterations, int warmupMillis, int measurementIterations, int measurementMillis,
            int footprintTasks, Map<String, String> sizes) {
        this.forks = forks;
        this.warmupIterations = warmupIterations;
        this.warmupMillis = warmupMillis;
        this.measurementIterations = measurementIterations;
        this.measurementMillis = measurementMillis;
        this.footprintTasks = footprintTasks;
        this.sizes = sizes;
    }
}

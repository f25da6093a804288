package io.asyncruntime.benchmarks.runner;

import java.util.Map;

/**
 * How long {@code bench.sh} measures. The JIT of this 2-core machine needs at least 10 warm-up
 * iterations before a scheduler's numbers settle (see ARCHITECTURE.md, "Lessons already measured"),
 * so the profiles trade iteration length, not iteration count, for their time budget.
 *
 * <p>A <em>sweep</em> runs every selected (workload, implementation) cell once, each in a fresh JMH
 * fork, in an order shuffled anew for every sweep; a profile repeats the sweep. Whole processes
 * here settle up to ~3x apart (a neighbour takes a core, a JIT decision goes the other way), so a
 * claim rests on the median over sweeps, and a ratio on the median of per-sweep ratios (CONVENTIONS.md:
 * at least five interleaved forks).
 */
enum Profile {
    /** Checks the script end to end in about a minute: tiny sizes, one short iteration. */
    SMOKE(1, 1, 100, 1, 200, 10_000, Map.of(
            "tasks", "100", "yieldingTasks", "10", "yieldsPerTask", "10", "pairs", "10", "chainLength", "10")),
    /**
     * One sweep, for a first look (not quotable: one process per cell). Warm-up is 4 s per fork:
     * this runtime's throughput kept climbing for about 4 s on JDK 17 (ForkJoinPool's for under 1 s).
     * The footprint uses 200,000 tasks: per-task bytes match the 1,000,000-task figure at a fifth
     * of the time.
     */
    QUICK(1, 10, 400, 5, 300, 200_000, Map.of()),
    /**
     * The quotable profile: five interleaved sweeps of the quick timing. About 7 s per cell and
     * sweep, so five workloads on four implementations take about 12 minutes.
     */
    FAIR(5, 10, 400, 5, 300, 200_000, Map.of()),
    /** By hand: five sweeps of 15 × 1 s warm-up and 10 × 1 s measurement; about 26 s per cell and sweep. */
    FULL(5, 15, 1000, 10, 1000, 1_000_000, Map.of());

    /** Sweeps of the scheduler workloads; forks of any other benchmark. */
    final int sweeps;
    final int warmupIterations;
    final int warmupMillis;
    final int measurementIterations;
    final int measurementMillis;
    final int footprintTasks;
    /** JMH parameter overrides; parameters a benchmark does not declare are ignored. */
    final Map<String, String> sizes;

    Profile(int sweeps, int warmupIterations, int warmupMillis, int measurementIterations, int measurementMillis,
            int footprintTasks, Map<String, String> sizes) {
        this.sweeps = sweeps;
        this.warmupIterations = warmupIterations;
        this.warmupMillis = warmupMillis;
        this.measurementIterations = measurementIterations;
        this.measurementMillis = measurementMillis;
        this.footprintTasks = footprintTasks;
        this.sizes = sizes;
    }
}

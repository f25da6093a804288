package io.asyncruntime.benchmarks.runner;

/**
 * One value of one table cell from one process: a benchmark's metric in one JMH fork (the median
 * of that fork's measured iterations), or one idle-task footprint. The table takes the median of
 * a cell's samples, and the median and spread of per-sweep ratios between two cells.
 *
 * @param section the benchmark class, which is one table ({@code SchedulerBenchmarks},
 *     {@code TimerChurnBenchmark}, …)
 * @param row the row label: the workload or benchmark method, plus what was measured when it is
 *     not the main score ({@code "spawn_many_local, allocated"}, {@code "sleeps, lateness p99"})
 * @param variant the benchmark's other parameters ({@code "timers=1000"}; empty when none), shown
 *     only when one row has several
 * @param unit the unit the value is in ({@code "M spawns/s"}, {@code "B/spawn"}, {@code "ms/op"})
 * @param higherIsBetter whether a higher value is better (rates) or a lower one (times, bytes)
 * @param memory whether the row belongs to the memory table rather than the speed table
 * @param column the implementation: the {@code impl} or {@code peer} parameter, else {@code "score"}
 * @param sweep the sweep (scheduler workloads) or fork (other benchmarks) it came from, counted
 *     from 1; 0 for a footprint, which is measured once
 * @param value the value
 */
record Sample(String section, String row, String variant, String unit, boolean higherIsBetter, boolean memory,
              String column, int sweep, double value) {
}

package io.asyncruntime.benchmarks.diagnostics;

import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.benchmarks.AsyncRuntimeWorkloads;
import io.asyncruntime.benchmarks.Implementation;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Explains a benchmark number of this runtime with its own metrics: runs each Tokio workload
 * (after a warm-up) and prints what the scheduler did per invocation — polls, LIFO hits, steals,
 * overflows to the inject queue, inject pops, parks, forced yields. Not a benchmark; a tool for
 * reading one. {@code java -cp … io.asyncruntime.benchmarks.diagnostics.SchedulerCounters [invocations]}
 */
public final class SchedulerCounters {

    private static final int DEFAULT_INVOCATIONS = 2_000;

    private SchedulerCounters() {
    }

    public static void main(String[] args) {
        int invocations = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_INVOCATIONS;
        try (AsyncRuntimeWorkloads workloads = new AsyncRuntimeWorkloads(Implementation.WORKER_THREADS)) {
            report("spawn_many_local", workloads, invocations, w -> w.spawnManyLocal(10_000));
            report("spawn_many_remote", workloads, invocations, w -> w.spawnManyRemote(10_000));
            report("yield_many", workloads, invocations / 10, w -> w.yieldMany(200, 1_000));
            report("ping_pong", workloads, invocations, w -> w.pingPong(1_000));
            report("chained_spawn", workloads, invocations, w -> w.chainedSpawn(1_000));
        }
    }

    private static void report(String name, AsyncRuntimeWorkloads workloads, int invocations,
                               Consumer<AsyncRuntimeWorkloads> workload) {
        for (int i = 0; i < invocations; i++) {
            workload.accept(workloads); // warm-up
        }
        RuntimeMetrics before = workloads.metrics();
        long start = System.nanoTime();
        for (int i = 0; i < invocations; i++) {
            workload.accept(workloads);
        }
        long micros = (System.nanoTime() - start) / 1_000 / invocations;
        RuntimeMetrics after = workloads.metrics();
        System.out.printf(Locale.ROOT, "%-17s %6d µs/inv  per invocation: polls %8.0f  lifoHits %7.0f  steals %7.0f"
                        + "  stealOps %6.1f  overflows %6.1f  injectPops %6.1f  parks %6.1f  forcedYields %5.1f%n",
                name, micros,
                per(after.totalPolls() - before.totalPolls(), invocations),
                per(sum(after, Counter.LIFO) - sum(before, Counter.LIFO), invocations),
                per(after.totalSteals() - before.totalSteals(), invocations),
                per(sum(after, Counter.STEAL_OPS) - sum(before, Counter.STEAL_OPS), invocations),
                per(sum(after, Counter.OVERFLOWS) - sum(before, Counter.OVERFLOWS), invocations),
                per(sum(after, Counter.INJECT_POPS) - sum(before, Counter.INJECT_POPS), invocations),
                per(after.totalParks() - before.totalParks(), invocations),
                per(after.budgetForcedYields() - before.budgetForcedYields(), invocations));
    }

    private enum Counter { LIFO, STEAL_OPS, OVERFLOWS, INJECT_POPS }

    private static long sum(RuntimeMetrics metrics, Counter counter) {
        long total = 0;
        for (RuntimeMetrics.WorkerMetrics worker : metrics.perWorker()) {
            switch (counter) {
                case LIFO: total += worker.lifoHits(); break;
                case STEAL_OPS: total += worker.stealOperations(); break;
                case OVERFLOWS: total += worker.overflows(); break;
                case INJECT_POPS: total += worker.injectPops(); break;
                default: throw new AssertionError(counter);
            }
        }
        return total;
    }

    private static double per(long delta, int invocations) {
        return delta / (double) invocations;
    }
}

package io.asyncruntime.benchmarks.diagnostics;

import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.Workloads;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one Tokio workload on one implementation in a loop, outside JMH, for a profiler to watch:
 * a warm-up, then a measured stretch whose rate it prints. Not a benchmark (JMH is); a target for
 * {@code -XX:StartFlightRecording}, {@code -XX:+PrintCompilation} or {@code perf}, e.g.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=yield.jfr,settings=profile.jfc \
 *      -cp … io.asyncruntime.benchmarks.diagnostics.RunWorkload asyncruntime yield_many 5 10
 * jfr print --events jdk.ExecutionSample yield.jfr
 * </pre>
 *
 * Usage: {@code RunWorkload <impl> <workload> [warm-up seconds] [measured seconds]}; sizes are
 * Tokio's, as in {@code SchedulerBenchmarks}.
 */
public final class RunWorkload {

    private RunWorkload() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: RunWorkload <impl> <workload> [warm-up s] [measured s]");
            System.exit(2);
        }
        Implementation implementation = Implementation.byId(args[0]);
        String workload = args[1];
        long warmUpSeconds = args.length > 2 ? Long.parseLong(args[2]) : 5;
        long measuredSeconds = args.length > 3 ? Long.parseLong(args[3]) : 10;
        long unitsPerInvocation = switch (workload) {
            case "spawn_many_local", "spawn_many_remote" -> 10_000;
            case "yield_many" -> 200_000;
            case "ping_pong", "chained_spawn" -> 1_000;
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
        Consumer<Workloads> invocation = switch (workload) {
            case "spawn_many_local" -> w -> w.spawnManyLocal(10_000);
            case "spawn_many_remote" -> w -> w.spawnManyRemote(10_000);
            case "yield_many" -> w -> w.yieldMany(200, 1_000);
            case "ping_pong" -> w -> w.pingPong(1_000);
            default -> w -> w.chainedSpawn(1_000);
        };
        try (Workloads workloads = implementation.start()) {
            run(workloads, invocation, warmUpSeconds);
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            long invocations = run(workloads, invocation, measuredSeconds);
            double seconds = (System.nanoTime() - start) / 1e9;
            double units = (double) invocations * unitsPerInvocation;
            // CPU time per unit holds up better than the rate on a loaded machine (it still counts
            // spinning, JIT and GC threads): a hint between two builds, not a benchmark result.
            System.out.printf(Locale.ROOT, "%s on %s: %.2f M units/s over %.1f s (%d invocations), %.1f ns CPU per unit%n",
                    workload, implementation.id, units / seconds / 1e6, seconds, invocations,
                    (processCpuNanos() - cpuStart) / units);
        }
        System.exit(0); // Kotlin's and the virtual-thread scheduler's threads are process-wide daemons anyway
    }

    /** CPU time of this process, all threads, or 0 where the JVM does not tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static long run(Workloads workloads, Consumer<Workloads> invocation, long seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long invocations = 0;
        while (System.nanoTime() < end) {
            invocation.accept(workloads);
            invocations++;
        }
        return invocations;
    }
}

package io.asyncruntime.benchmarks.net;

import io.asyncruntime.benchmarks.Implementation;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The TCP echo workload of {@link TcpEchoBenchmark} in a loop outside JMH, for a system-call
 * counter or profiler to watch: a warm-up, a line {@code MEASURE <pid>} (the moment to attach,
 * e.g. {@code perf stat -p <pid> -e 'syscalls:sys_enter_*' -- sleep <s>}), then a measured stretch
 * whose rate, CPU per round trip and (for this runtime) counter deltas it prints. Not a benchmark
 * (JMH is): a tool to account for what one round trip costs.
 *
 * <p>Usage: {@code RunEcho <impl> [warm-up s] [measured s] [connections] [message bytes]}; besides the
 * benchmark's ids, {@code netty_nio_paired} and {@code netty_nio_split} place both ends of every
 * connection on one Netty loop, or never (see {@link NettyEcho}).
 */
public final class RunEcho {

    private static final LatencyHistogram HIST = new LatencyHistogram();
    private static boolean recording;

    private RunEcho() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RunEcho <impl> [warm-up s] [measured s] [connections] [message bytes]");
            System.exit(2);
        }
        // Diagnostics beside the benchmark's ids: Netty NIO with both ends of every connection on one loop, or never.
        Boolean paired = args[0].equals("netty_nio_paired") ? Boolean.TRUE : args[0].equals("netty_nio_split") ? Boolean.FALSE : null;
        Implementation implementation = paired != null ? Implementation.NETTY_NIO : Implementation.byId(args[0]);
        long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 5;
        long measured = args.length > 2 ? Long.parseLong(args[2]) : 5;
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int messageSize = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int batch = 100;
        long[][] latencies = new long[connections][batch];
        try (EchoWorkload workload = paired != null ? new NettyEcho(false, connections, messageSize, paired)
                : EchoWorkload.start(implementation, connections, messageSize)) {
            loop(workload, batch, latencies, warmUp);
            String before = workload instanceof AsyncRuntimeEcho ours ? ours.counters() : "";
            System.out.println("MEASURE " + ProcessHandle.current().pid());
            HIST.reset();
            recording = true;
            System.out.flush();
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            long allocatedStart = allocatedBytes();
            long batches = loop(workload, batch, latencies, measured);
            double seconds = (System.nanoTime() - start) / 1e9;
            double roundTrips = (double) batches * batch * connections;
            System.out.printf(Locale.ROOT, "ECHO impl=%s roundTrips=%.0f rate=%.0f/s cpuNsPerRoundTrip=%.0f allocBytesPerRoundTrip=%.1f%n",
                    args[0], roundTrips, roundTrips / seconds, (processCpuNanos() - cpuStart) / roundTrips,
                    (allocatedBytes() - allocatedStart) / roundTrips);
            System.out.printf(Locale.ROOT, "RTT p10=%d p50=%d p90=%d p99=%d p99.9=%d max=%d us%n", HIST.percentile(0.1) / 1000,
                    HIST.percentile(0.5) / 1000, HIST.percentile(0.9) / 1000, HIST.percentile(0.99) / 1000,
                    HIST.percentile(0.999) / 1000, HIST.percentile(1.0) / 1000);
            if (workload instanceof AsyncRuntimeEcho ours) {
                System.out.println("COUNTERS before=" + before + " after=" + ours.counters());
            } else if (workload instanceof NettyEcho netty) {
                System.out.println("NETTY " + netty.pairsOnOneLoop());
            }
        }
        System.exit(0);
    }

    private static long loop(EchoWorkload workload, int batch, long[][] latencies, long seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long batches = 0;
        while (System.nanoTime() < end) {
            workload.run(batch, latencies);
            batches++;
            if (recording) {
                for (long[] c : latencies) {
                    HIST.recordAll(c, batch);
                }
            }
        }
        return batches;
    }

    /**
     * Bytes allocated so far by the threads alive now (HotSpot's per-thread counters; a thread that
     * ended in between is missed, none does here): the measured stretch's difference, divided by
     * its round trips, is the bytes per round trip of everything in the process, as JMH's
     * {@code -prof gc} counts them, without JMH's own threads.
     */
    private static long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)) {
            return 0;
        }
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(bytes, 0);
        }
        return total;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }
}

package io.asyncruntime.benchmarks.net;

import io.asyncruntime.benchmarks.Implementation;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * TCP echo: {@code connections} connections (64), each running request/response round trips of
 * {@code messageSize} bytes (64), server and clients in this process on one implementation with
 * {@link Implementation#WORKER_THREADS} threads. Connections stay open for the fork; an invocation
 * is a batch of {@code roundTripsPerBatch} round trips on every connection at once. With the
 * {@code full} profile (10 measured seconds) each connection makes over 10,000 measured round
 * trips per fork at the rates seen here.
 *
 * <p>Reported per iteration, as {@link AuxCounters}: {@code roundTrips} per second (the speed
 * table), and the iteration's round-trip latency percentiles in microseconds ({@code
 * p50LatencyMicros}, {@code p99LatencyMicros}; the runner shows them as latency rows, lower is
 * better). At the end of a fork a {@code TCP_ECHO} line gives the fork's p50/p99/max over all its
 * measured round trips, and for this runtime its I/O counters per round trip.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djdk.virtualThreadScheduler.parallelism=2",
    "-Dio.netty.noUnsafe=false"})
@State(Scope.Benchmark)
public class TcpEchoBenchmark {

    @Param({"asyncruntime", "netty_nio", "netty_epoll", "virtual"})
    public String impl;

    @Param("64")
    public int connections;

    @Param("64")
    public int messageSize;

    /** Round trips per connection per invocation: small enough that a batch's tail is a small share. */
    @Param("100")
    public int roundTripsPerBatch;

    private EchoWorkload workload;
    private long[][] latencies;
    private final LatencyHistogram iteration = new LatencyHistogram();
    private final LatencyHistogram measured = new LatencyHistogram();
    private boolean measuring;
    private String countersBefore;
    private long measuredRoundTrips;

    /** Round trips per second: the unit of work of the speed table. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class RoundTrips {
        public long roundTrips;

        @Setup(Level.Iteration)
        public void reset() {
            roundTrips = 0;
        }
    }

    /** The iteration's latency percentiles so far (the last value of an iteration is its own). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Latency {
        public long p50LatencyMicros;
        public long p99LatencyMicros;

        @Setup(Level.Iteration)
        public void reset() {
            p50LatencyMicros = 0;
            p99LatencyMicros = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        workload = EchoWorkload.start(Implementation.byId(impl), connections, messageSize);
        latencies = new long[connections][roundTripsPerBatch];
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) {
        iteration.reset();
        boolean wasMeasuring = measuring;
        measuring = params.getType() == IterationType.MEASUREMENT;
        if (measuring && !wasMeasuring && workload instanceof AsyncRuntimeEcho ours) {
            countersBefore = ours.counters();
        }
    }

    @Benchmark
    public void echo(RoundTrips roundTrips, Latency latency) throws Exception {
        workload.run(roundTripsPerBatch, latencies);
        roundTrips.roundTrips += (long) connections * roundTripsPerBatch;
        for (long[] connection : latencies) {
            iteration.recordAll(connection, roundTripsPerBatch);
        }
        latency.p50LatencyMicros = iteration.percentile(0.50) / 1_000;
        latency.p99LatencyMicros = iteration.percentile(0.99) / 1_000;
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        if (measuring) {
            measured.add(iteration);
            measuredRoundTrips += iteration.count();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        String counters = "";
        if (workload instanceof AsyncRuntimeEcho ours) {
            counters = " io.before=" + countersBefore + " io.after=" + ours.counters();
        } else if (workload instanceof NettyEcho netty) {
            counters = " " + NettyEcho.describe() + " " + netty.pairsOnOneLoop();
        }
        System.out.printf(Locale.ROOT, "%nTCP_ECHO impl=%s roundTrips=%d p50us=%.1f p99us=%.1f maxus=%.1f%s%n", impl,
                measuredRoundTrips, measured.percentile(0.50) / 1e3, measured.percentile(0.99) / 1e3,
                measured.percentile(1.0) / 1e3, counters);
        workload.close();
    }
}

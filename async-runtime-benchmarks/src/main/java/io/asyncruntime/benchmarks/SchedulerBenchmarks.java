package io.asyncruntime.benchmarks;

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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Tokio's {@code benches/rt_multi_threaded.rs} workloads, each run on every {@link Implementation}
 * (the {@code impl} parameter) with {@link Implementation#WORKER_THREADS} workers. Sizes default to
 * Tokio's and are parameters, so a smoke pass can shrink them.
 *
 * <p>The primary score counts invocations of a whole workload per second; each workload also
 * reports its unit of work per second as an {@link AuxCounters} secondary result ({@code spawns},
 * {@code yields}, {@code roundTrips}, {@code links}), which is what the results table shows, and
 * what Tokio's and the figures are in. Each (workload, impl) pair runs in its own fork, so
 * the JIT profile of one implementation never pollutes another.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 15, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    // A small heap, touched before the run: on this project's VMs a page of fresh guest memory
    // costs ~100 µs on first touch (pre-touching 2 GB took 20-56 s), so with a 2 GB heap every
    // fork spent its whole measurement faulting in new eden regions, and each implementation paid
    // in proportion to the bytes it allocates (FJP's spawn_many_local ran at 5-9 M/s instead of
    // 20-35). A long-running service has touched its heap long ago; 256 MB holds every workload.
    "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
    // Cap Kotlin's Dispatchers.Default and the virtual-thread scheduler at WORKER_THREADS.
    "-Dkotlinx.coroutines.scheduler.core.pool.size=2",
    "-Djdk.virtualThreadScheduler.parallelism=2"})
public class SchedulerBenchmarks {

    /** The implementation under test, started once per fork. */
    @State(Scope.Benchmark)
    public static class UnderTest {
        @Param({"asyncruntime", "forkjoin", "forkjoin_lifo", "kotlin", "netty_spread", "threadpool", "virtual",
            "netty_nio", "netty_epoll"})
        public String impl;

        Workloads workloads;

        @Setup(Level.Trial)
        public void start(BenchmarkParams params) {
            Implementation implementation = Implementation.byId(impl);
            String workload = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            if (!implementation.supports(workload)) {
                // BenchMain never asks for it; a hand-made run that does gets a clear error.
                throw new UnsupportedOperationException(impl + " has no form of " + workload);
            }
            workloads = implementation.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            workloads.close();
        }
    }

    /** {@code NUM_SPAWN} of Tokio's bench. */
    @State(Scope.Benchmark)
    public static class SpawnSize {
        @Param("10000")
        public int tasks;
    }

    /** {@code TASKS} × {@code NUM_YIELD} of Tokio's {@code yield_many}. */
    @State(Scope.Benchmark)
    public static class YieldSize {
        @Param("200")
        public int yieldingTasks;
        @Param("1000")
        public int yieldsPerTask;
    }

    /** {@code NUM_PINGS} of Tokio's {@code ping_pong}. */
    @State(Scope.Benchmark)
    public static class PingPongSize {
        @Param("1000")
        public int pairs;
    }

    /** {@code ITER} of Tokio's {@code chained_spawn}. */
    @State(Scope.Benchmark)
    public static class ChainSize {
        @Param("1000")
        public int chainLength;
    }

    /** Spawned tasks, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Spawns {
        public long spawns;

        @Setup(Level.Iteration)
        public void reset() {
            spawns = 0;
        }
    }

    /** Yields, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Yields {
        public long yields;

        @Setup(Level.Iteration)
        public void reset() {
            yields = 0;
        }
    }

    /** Ping-pong round trips (one pair each), reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class RoundTrips {
        public long roundTrips;

        @Setup(Level.Iteration)
        public void reset() {
            roundTrips = 0;
        }
    }

    /** Chain links (one spawn each), reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Links {
        public long links;

        @Setup(Level.Iteration)
        public void reset() {
            links = 0;
        }
    }

    @Benchmark
    public void spawn_many_local(UnderTest runtime, SpawnSize size, Spawns counter) {
        runtime.workloads.spawnManyLocal(size.tasks);
        counter.spawns += size.tasks;
    }

    @Benchmark
    public void spawn_many_remote(UnderTest runtime, SpawnSize size, Spawns counter) {
        runtime.workloads.spawnManyRemote(size.tasks);
        counter.spawns += size.tasks;
    }

    @Benchmark
    public void yield_many(UnderTest runtime, YieldSize size, Yields counter) {
        runtime.workloads.yieldMany(size.yieldingTasks, size.yieldsPerTask);
        counter.yields += (long) size.yieldingTasks * size.yieldsPerTask;
    }

    @Benchmark
    public void ping_pong(UnderTest runtime, PingPongSize size, RoundTrips counter) {
        runtime.workloads.pingPong(size.pairs);
        counter.roundTrips += size.pairs;
    }

    @Benchmark
    public void chained_spawn(UnderTest runtime, ChainSize size, Links counter) {
        runtime.workloads.chainedSpawn(size.chainLength);
        counter.links += size.chainLength;
    }
}

package io.asyncruntime.benchmarks.sync;

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

/**
 * Tokio's {@code sync_semaphore} benchmark on this runtime's {@code Semaphore} and on
 * {@code java.util.concurrent.Semaphore} between platform threads (non-fair, its default and its
 * fast mode; ours is always fair):
 * <ul>
 *   <li>{@code uncontended}: one task (thread) acquires and releases one of 10 permits,
 *       {@code acquires} times;</li>
 *   <li>{@code contended}: 6 tasks (threads) share 5 permits, each acquiring {@code acquires / 6}
 *       times and holding the permit across one yield, so that one of them always waits (with
 *       two workers, acquiring and releasing in one poll would never contend).</li>
 * </ul>
 * The unit of work is an acquire (per second).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class SemaphoreBenchmark {

    @Param({"asyncruntime", "jdk"})
    public String peer;

    /** Acquires per invocation. */
    @Param("600000")
    public int acquires;

    private SemaphorePeer implementation;

    /** Acquires, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Acquired {
        public long acquires;

        @Setup(Level.Iteration)
        public void reset() {
            acquires = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() {
        implementation = SemaphorePeer.start(peer);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        implementation.close();
    }

    @Benchmark
    public long uncontended(Acquired acquired) throws Exception {
        long done = implementation.run(1, 10, acquires, false);
        acquired.acquires += done;
        return done;
    }

    @Benchmark
    public long contended(Acquired acquired) throws Exception {
        long done = implementation.run(6, 5, acquires / 6, true);
        acquired.acquires += done;
        return done;
    }
}

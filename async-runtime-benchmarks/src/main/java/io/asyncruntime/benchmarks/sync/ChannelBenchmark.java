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
 * A bounded channel of capacity 1024 carrying 1,000,000 messages per invocation from one producer,
 * or from four producers (250,000 each), to one consumer: Tokio's {@code sync_mpsc} contention
 * benchmark at the sizes, on this runtime's {@code Channel} and its peers (see
 * {@link ChannelPeer} for how each is set up). Two workers (carrier threads) wherever a runtime is
 * involved; the platform-thread peers run one thread per producer and one consumer thread. Every
 * implementation sends the same constant message object, so no peer pays for boxing.
 *
 * <p>The unit of work is a message delivered ({@code messages}, per second); the allocation
 * profile is divided by it.
 *
 * <p>The heap is 256 MB, pre-touched, for every peer, as for the scheduler benchmarks (see the
 * module's README, "Fresh memory is slow here"): with a 2 GB heap that is not pre-touched, every
 * young GC moves eden to pages never touched before, and on this project's VMs the first touch of
 * a page costs ~100 µs, so a peer paid in proportion to the bytes it allocates per message (ours
 * 56-60 B, Kotlin's 10 B, ABQ's none) rather than for how it hands a message over. Measured on
 * main's channel (ChannelCounters, 1,000,000 messages a round): 4 → 1 fell from 16-18 M/s in the
 * first rounds to 1.2-2.5 M/s once eden had moved, and ran at 5-18 M/s with this heap.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
        "-Dkotlinx.coroutines.scheduler.core.pool.size=2"})
@State(Scope.Benchmark)
public class ChannelBenchmark {

    /** Who carries the messages; ids are the table's columns. */
    @Param({"asyncruntime", "abq", "lbq", "jctools", "kotlin"})
    public String peer;

    /** Messages per invocation (split evenly between the producers). */
    @Param("1000000")
    public int messages;

    @Param("1024")
    public int capacity;

    private ChannelPeer implementation;

    /** Messages delivered, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Delivered {
        public long messages;

        @Setup(Level.Iteration)
        public void reset() {
            messages = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() {
        implementation = ChannelPeer.start(peer);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        implementation.close();
    }

    /** One producer, one consumer. */
    @Benchmark
    public long bounded_1_to_1(Delivered delivered) throws Exception {
        long received = implementation.transfer(1, messages, capacity);
        delivered.messages += received;
        return received;
    }

    /** Four producers, one consumer. */
    @Benchmark
    public long bounded_4_to_1(Delivered delivered) throws Exception {
        long received = implementation.transfer(4, messages, capacity);
        delivered.messages += received;
        return received;
    }
}

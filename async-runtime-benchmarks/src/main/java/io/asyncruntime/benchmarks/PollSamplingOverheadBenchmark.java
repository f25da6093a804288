package io.asyncruntime.benchmarks;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.PollSampleListener;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * What poll sampling ({@code AsyncRuntime.samplePolls}, the starter's poll-time and
 * schedule-latency timers) costs on the scheduler workloads that poll the most per unit of work:
 * the same runtime with sampling off and with one in 64 or 1024 polls and schedules sampled into a
 * listener that does what a Micrometer timer's record does at least (two adders). Compare the
 * {@code sampling} values of one workload as a ratio; interleave forks ({@code -f 1} in a loop),
 * as this box swings between processes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PollSamplingOverheadBenchmark {

    /** The runtime, with sampling as the parameter says. */
    @State(Scope.Benchmark)
    public static class Runtime {
        @Param({"off", "64", "1024"})
        public String sampling;

        AsyncRuntimeWorkloads workloads;
        final LongAdder samples = new LongAdder();
        final LongAdder nanos = new LongAdder();

        @Setup(Level.Trial)
        public void start() {
            workloads = new AsyncRuntimeWorkloads(Implementation.WORKER_THREADS);
            if (!sampling.equals("off")) {
                CountingListener.attach(workloads.runtime(), Integer.parseInt(sampling), samples, nanos);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (!sampling.equals("off") && samples.sum() == 0) {
                throw new IllegalStateException("sampling was on but no sample was taken");
            }
            workloads.close();
        }
    }

    /**
     * The listener, in its own class so that a fork with sampling off never loads
     * {@code PollSampleListener}: the "off" fork can then run against a runtime from before sampling
     * existed, to show what the hooks cost on their own.
     */
    static final class CountingListener implements PollSampleListener {
        private final LongAdder samples;
        private final LongAdder nanos;

        private CountingListener(LongAdder samples, LongAdder nanos) {
            this.samples = samples;
            this.nanos = nanos;
        }

        static void attach(AsyncRuntime runtime, int oneIn, LongAdder samples, LongAdder nanos) {
            runtime.samplePolls(oneIn, new CountingListener(samples, nanos));
        }

        @Override
        public void pollTime(int worker, long time) {
            samples.increment();
            nanos.add(time);
        }

        @Override
        public void scheduleLatency(long time) {
            samples.increment();
            nanos.add(time);
        }
    }

    @Benchmark
    public void spawn_many_local(Runtime runtime) {
        runtime.workloads.spawnManyLocal(10_000);
    }

    @Benchmark
    public void yield_many(Runtime runtime) {
        runtime.workloads.yieldMany(200, 1000);
    }

    @Benchmark
    public void ping_pong(Runtime runtime) {
        runtime.workloads.pingPong(1000);
    }
}

package io.asyncruntime.benchmarks.blocking;

import io.asyncruntime.AsyncRuntime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
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
 * The blocking pool on platform threads: {@code runtime.spawnBlocking} (the runtime's own pool,
 * default limits: 512 threads, queue 10,000, keep-alive 10 s) against a {@code ThreadPoolExecutor}
 * with the same cap, queue bound and keep-alive ({@link BlockingWork#threadPool()}). One invocation
 * is 100,000 calls of trivial work awaited in batches of 1,000 ({@link BlockingWork#run}); the
 * table shows calls per second. Goal (issue 9): ours ≥ 1.0× the {@code ThreadPoolExecutor}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SpawnBlockingPlatformBenchmark {

    /** The column: this runtime or the ThreadPoolExecutor. */
    @Param({"asyncruntime", "threadpool"})
    public String peer;
    @Param("100000")
    public int calls;
    @Param("1000")
    public int batch;

    private AsyncRuntime runtime;
    private ThreadPoolExecutor threadPool;

    /** Blocking calls made, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Calls {
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            calls = 0;
        }
    }

    @Setup(Level.Trial)
    public void start() {
        switch (peer) {
            case "asyncruntime":
                runtime = AsyncRuntime.builder().workerThreads(2).build();
                break;
            case "threadpool":
                threadPool = BlockingWork.threadPool();
                break;
            default:
                throw new IllegalArgumentException("unknown peer " + peer);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        if (runtime != null) {
            runtime.close();
        }
        if (threadPool != null) {
            BlockingWork.shutdown(threadPool);
        }
    }

    @Benchmark
    public int spawn_blocking(Calls counter) throws InterruptedException, ExecutionException {
        int sum = runtime != null
                ? BlockingWork.run(calls, batch, runtime::spawnBlocking)
                : BlockingWork.run(calls, batch, threadPool::submit);
        BlockingWork.check(sum, calls);
        counter.calls += calls;
        return sum;
    }
}

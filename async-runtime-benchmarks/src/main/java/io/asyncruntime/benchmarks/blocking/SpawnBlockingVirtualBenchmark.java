package io.asyncruntime.benchmarks.blocking;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingLimits;
import io.asyncruntime.BlockingPool;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
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
 * The blocking pool on virtual threads (JDK 21+ only): a named pool with
 * {@code BlockingLimits.defaults().virtualThreads(true)} (cap 512) against bare virtual threads,
 * {@code Executors.newVirtualThreadPerTaskExecutor()} (no cap). Same workload as
 * {@link SpawnBlockingPlatformBenchmark}. Goal (issue 9): ours ≥ 0.8× bare virtual threads. The
 * virtual-thread scheduler runs on {@code -Djdk.virtualThreadScheduler.parallelism=2} carriers, as in
 * the scheduler benchmarks (this machine has 2 cores: the JDK's default too).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Djdk.virtualThreadScheduler.parallelism=2"})
@State(Scope.Benchmark)
public class SpawnBlockingVirtualBenchmark {

    /** The column: this runtime's virtual-thread pool or bare virtual threads. */
    @Param({"asyncruntime", "virtual"})
    public String peer;
    @Param("100000")
    public int calls;
    @Param("1000")
    public int batch;

    private AsyncRuntime runtime;
    private BlockingPool pool;
    private ExecutorService virtualThreads;

    @Setup(Level.Trial)
    public void start() {
        switch (peer) {
            case "asyncruntime":
                runtime = AsyncRuntime.builder().workerThreads(2).build();
                pool = runtime.blockingPool("bench", BlockingLimits.defaults().virtualThreads(true));
                break;
            case "virtual":
                virtualThreads = BlockingWork.virtualThreadPerTask();
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
        if (virtualThreads != null) {
            BlockingWork.shutdown(virtualThreads);
        }
    }

    @Benchmark
    public int spawn_blocking(SpawnBlockingPlatformBenchmark.Calls counter) throws InterruptedException, ExecutionException {
        int sum = pool != null
                ? BlockingWork.run(calls, batch, pool::spawnBlocking)
                : BlockingWork.run(calls, batch, virtualThreads::submit);
        BlockingWork.check(sum, calls);
        counter.calls += calls;
        return sum;
    }
}

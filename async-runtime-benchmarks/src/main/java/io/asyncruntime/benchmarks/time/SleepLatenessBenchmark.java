package io.asyncruntime.benchmarks.time;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.HashedWheelTimer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Timer accuracy: 10,000 concurrent 50 ms sleeps; each records how late it woke (time from its
 * deadline to the moment its continuation runs). The JMH score is the time for the whole batch;
 * the lateness percentiles of all measurement iterations are printed at the end of the trial as
 * a {@code LATENESS} line (p50, p99, max in microseconds, and how many woke early; must be 0).
 *
 * <p>Ours: 10,000 tasks spawned on a 2-worker runtime, each {@code Time.sleep(50 ms)}. Peers:
 * {@code ScheduledThreadPoolExecutor} (1 thread), Netty {@code HashedWheelTimer} (1 ms tick),
 * a 2-loop Netty event loop group ({@code schedule} from outside).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 15)
@Fork(1)
@State(Scope.Benchmark)
public class SleepLatenessBenchmark {

    static final int SLEEPS = 10_000;
    static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    @Param({"asyncRuntime", "scheduledThreadPoolExecutor", "nettyHashedWheelTimer", "nettyEventLoop"})
    public String peer;

    AsyncRuntime runtime;
    ScheduledThreadPoolExecutor stpe;
    HashedWheelTimer wheel;
    EventLoopGroup loops;

    /** Lateness samples of the measurement iterations (ns). */
    long[] samples = new long[0];
    int sampleCount;
    boolean recording;
    final long[] batch = new long[SLEEPS];

    @Setup(Level.Trial)
    public void setUp() {
        switch (peer) {
            case "asyncRuntime" -> runtime = AsyncRuntime.builder().workerThreads(2).build();
            case "scheduledThreadPoolExecutor" -> stpe = new ScheduledThreadPoolExecutor(1);
            case "nettyHashedWheelTimer" -> {
                wheel = new HashedWheelTimer(Executors.defaultThreadFactory(), 1, TimeUnit.MILLISECONDS, 512);
                wheel.start();
            }
            case "nettyEventLoop" -> loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            default -> throw new IllegalArgumentException("peer " + peer);
        }
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) {
        recording = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        if (!recording) {
            return;
        }
        if (samples.length < sampleCount + SLEEPS) {
            samples = Arrays.copyOf(samples, Math.max(2 * samples.length, sampleCount + SLEEPS));
        }
        System.arraycopy(batch, 0, samples, sampleCount, SLEEPS);
        sampleCount += SLEEPS;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long[] sorted = Arrays.copyOf(samples, sampleCount);
        Arrays.sort(sorted);
        long early = Arrays.stream(sorted).filter(l -> l < 0).count();
        if (sorted.length > 0) {
            System.out.printf("%nLATENESS %s p50=%dus p99=%dus max=%dus early=%d samples=%d%n", peer,
                    sorted[sorted.length / 2] / 1_000, sorted[(int) (sorted.length * 0.99)] / 1_000,
                    sorted[sorted.length - 1] / 1_000, early, sorted.length);
        }
        if (runtime != null) {
            runtime.close();
        }
        if (stpe != null) {
            stpe.shutdownNow();
        }
        if (wheel != null) {
            wheel.stop();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Benchmark
    public void sleeps() throws InterruptedException {
        switch (peer) {
            case "asyncRuntime" -> ours();
            case "scheduledThreadPoolExecutor" -> withCallback((i, r) ->
                    stpe.schedule(r, SLEEP_NANOS, TimeUnit.NANOSECONDS));
            case "nettyHashedWheelTimer" -> withCallback((i, r) ->
                    wheel.newTimeout(t -> r.run(), SLEEP_NANOS, TimeUnit.NANOSECONDS));
            case "nettyEventLoop" -> withCallback((i, r) ->
                    loops.next().schedule(r, SLEEP_NANOS, TimeUnit.NANOSECONDS));
            default -> throw new IllegalStateException();
        }
    }

    /** Like the peers: the benchmark thread waits on a latch, not on 10,000 join handles. */
    private void ours() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(SLEEPS);
        runtime.spawn(Task.run(() -> {
            for (int i = 0; i < SLEEPS; i++) {
                int index = i;
                // A sleep's delay runs from its first poll: take the deadline there.
                AsyncRuntime.current().spawn(Task.call(() -> System.nanoTime() + SLEEP_NANOS)
                        .flatMap(deadline -> Time.sleep(Duration.ofNanos(SLEEP_NANOS)).map(v -> {
                            batch[index] = System.nanoTime() - deadline;
                            done.countDown();
                            return null;
                        })));
            }
        }));
        done.await();
    }

    interface Scheduler {
        void schedule(int index, Runnable onFire);
    }

    private void withCallback(Scheduler scheduler) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(SLEEPS);
        for (int i = 0; i < SLEEPS; i++) {
            int index = i;
            long deadline = System.nanoTime() + SLEEP_NANOS;
            scheduler.schedule(i, () -> {
                batch[index] = System.nanoTime() - deadline;
                done.countDown();
            });
        }
        done.await();
    }
}

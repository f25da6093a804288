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
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * Timer accuracy: 10,000 concurrent 50 ms sleeps per batch (one JMH invocation); each records how
 * late it woke. The primary score is the time for the whole batch; the lateness is reported per
 * batch as {@code @AuxCounters} ({@link Lateness}: p50, p99, max, early wake-ups), plus the p99 of
 * the fork's very first batch ({@code cold lateness p99}: a fresh JVM, nothing compiled yet).
 *
 * <p>Every peer's lateness is read at the same point: where the woken work runs on the threads
 * that run tasks, after the same hand-off.
 * <ul>
 *   <li>Ours: 10,000 tasks spawned on a 2-worker runtime, each {@code Time.sleep(50 ms)}; the
 *       clock stops when the woken task is polled on a worker.</li>
 *   <li>{@code ScheduledThreadPoolExecutor} (1 timer thread) and Netty {@code HashedWheelTimer}
 *       (1 ms tick): their callback hands the work to a 2-thread {@code ForkJoinPool} (async mode,
 *       the JDK's fastest hand-off), where the clock stops — a timer thread is not where a service
 *       runs its code.</li>
 *   <li>A 2-loop Netty event loop group ({@code schedule} from outside): the scheduled task runs on
 *       the loop, which is where Netty runs its tasks; no hand-off.</li>
 * </ul>
 * Only the measured timer is built in a fork.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// 20 warm-ups: on JDK 17 C2 keeps compiling this workload for ~25 batches of 10,000 sleeps (-XX:+PrintCompilation)
@Warmup(iterations = 20)
@Measurement(iterations = 15)
// A small, pre-touched heap, as SchedulerBenchmarks (first touch of fresh memory is slow on these VMs).
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class SleepLatenessBenchmark {

    static final int SLEEPS = 10_000;
    static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Threads of the executor the callback-style timers hand their work to. */
    static final int HAND_OFF_THREADS = 2;

    @Param({"asyncRuntime", "scheduledThreadPoolExecutor", "nettyHashedWheelTimer", "nettyEventLoop"})
    public String peer;

    AsyncRuntime runtime;
    ScheduledThreadPoolExecutor stpe;
    HashedWheelTimer wheel;
    EventLoopGroup loops;
    ForkJoinPool handOff;

    /**
     * The lateness of each batch, in microseconds (lower is better), and the first batch's p99.
     * Computed after the batch (in the iteration's teardown), so sorting is not timed.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Lateness {
        public long latenessP50Micros;
        public long latenessP99Micros;
        public long latenessMaxMicros;
        /** p99 of the first batch of the fork (a fresh JVM), repeated in every iteration. */
        public long coldLatenessP99Micros;
        public long earlyWakeUps;

        /** The current batch's lateness per sleep (ns), written by the sleeps themselves. */
        final long[] batch = new long[SLEEPS];
        private long coldP99 = -1;

        @TearDown(Level.Iteration)
        public void summarise() {
            long[] sorted = batch.clone();
            Arrays.sort(sorted);
            latenessP50Micros = sorted[SLEEPS / 2] / 1_000;
            latenessP99Micros = sorted[(int) (SLEEPS * 0.99)] / 1_000;
            latenessMaxMicros = sorted[SLEEPS - 1] / 1_000;
            earlyWakeUps = Arrays.stream(sorted).filter(l -> l < 0).count();
            if (coldP99 < 0) {
                coldP99 = latenessP99Micros;
            }
            coldLatenessP99Micros = coldP99;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        switch (peer) {
            case "asyncRuntime" -> runtime = AsyncRuntime.builder().workerThreads(2).build();
            case "scheduledThreadPoolExecutor" -> {
                stpe = new ScheduledThreadPoolExecutor(1);
                handOff = handOffPool();
            }
            case "nettyHashedWheelTimer" -> {
                wheel = new HashedWheelTimer(Executors.defaultThreadFactory(), 1, TimeUnit.MILLISECONDS, 512);
                wheel.start();
                handOff = handOffPool();
            }
            case "nettyEventLoop" -> loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            default -> throw new IllegalArgumentException("peer " + peer);
        }
    }

    private static ForkJoinPool handOffPool() {
        return new ForkJoinPool(HAND_OFF_THREADS, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
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
        if (handOff != null) {
            handOff.shutdownNow();
        }
    }

    @Benchmark
    public void sleeps(Lateness lateness) throws InterruptedException {
        long[] batch = lateness.batch;
        switch (peer) {
            case "asyncRuntime" -> ours(batch);
            case "scheduledThreadPoolExecutor" -> withCallback(batch, (r) ->
                    stpe.schedule(() -> handOff.execute(r), SLEEP_NANOS, TimeUnit.NANOSECONDS));
            case "nettyHashedWheelTimer" -> withCallback(batch, (r) ->
                    wheel.newTimeout(t -> handOff.execute(r), SLEEP_NANOS, TimeUnit.NANOSECONDS));
            case "nettyEventLoop" -> withCallback(batch, (r) ->
                    loops.next().schedule(r, SLEEP_NANOS, TimeUnit.NANOSECONDS));
            default -> throw new IllegalStateException();
        }
    }

    /** Like the peers: the benchmark thread waits on a latch, not on 10,000 join handles. */
    private void ours(long[] batch) throws InterruptedException {
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
        /** Schedules {@code onFire} to run {@link #SLEEP_NANOS} from now, where the peer runs woken work. */
        void schedule(Runnable onFire);
    }

    private static void withCallback(long[] batch, Scheduler scheduler) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(SLEEPS);
        for (int i = 0; i < SLEEPS; i++) {
            int index = i;
            long deadline = System.nanoTime() + SLEEP_NANOS;
            scheduler.schedule(() -> {
                batch[index] = System.nanoTime() - deadline;
                done.countDown();
            });
        }
        done.await();
    }
}

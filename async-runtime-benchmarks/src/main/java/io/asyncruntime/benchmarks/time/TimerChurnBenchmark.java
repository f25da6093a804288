package io.asyncruntime.benchmarks.time;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timer churn, the timeout pattern of a busy service: 1,000,000 timeouts with deadlines spread
 * over 1–10 s, inserted from two threads (500,000 each); 90% are cancelled before they fire
 * (each is cancelled 1,024 insertions after it was made), the other 10% are left to fire.
 * One invocation is the whole million; the score is the time for it (lower is better), so
 * {@code 1e6 / score} is inserts+cancels per millisecond.
 *
 * <p>Ours runs as two tasks on a 2-worker runtime that yield every 256 timers, so the scheduler
 * turns the time driver (drains its inbox) inside the measured time, as in a real service. The
 * peers insert and cancel from two plain threads ({@code HashedWheelTimer}, STPE) or from inside
 * two Netty event loops (each scheduling on itself: Netty's fast path). HashedWheelTimer and the
 * event loops finish part of their work (filing, removal) on their own threads, partly after the
 * measured time; STPE with {@code removeOnCancel} removes at once under its lock.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 15)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class TimerChurnBenchmark {

    static final int TIMERS = 1_000_000;
    static final int THREADS = 2;
    static final int PER_THREAD = TIMERS / THREADS;
    /** How many insertions later a timeout is cancelled; a power of two. */
    static final int CANCEL_LAG = 1_024;
    /** Our tasks yield this often, so the scheduler's event interval turns the driver. */
    static final int YIELD_EVERY = 256;

    /** Same delays for every peer: milliseconds in [1000, 10000). */
    final long[] delayMillis = new long[TIMERS];
    final Duration[] delays = new Duration[TIMERS];

    AsyncRuntime runtime;
    HashedWheelTimer wheel;
    ScheduledThreadPoolExecutor stpe;
    EventLoopGroup loops;
    ExecutorService callers;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < TIMERS; i++) {
            delayMillis[i] = 1_000 + random.nextLong(9_000);
            delays[i] = Duration.ofMillis(delayMillis[i]);
        }
        runtime = AsyncRuntime.builder().workerThreads(THREADS).build();
        wheel = new HashedWheelTimer(Executors.defaultThreadFactory(), 1, TimeUnit.MILLISECONDS, 512);
        wheel.start();
        stpe = new ScheduledThreadPoolExecutor(1);
        stpe.setRemoveOnCancelPolicy(true);
        loops = new MultiThreadIoEventLoopGroup(THREADS, NioIoHandler.newFactory());
        callers = Executors.newFixedThreadPool(THREADS);
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        runtime.close();
        wheel.stop();
        stpe.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        callers.shutdownNow();
        callers.awaitTermination(5, TimeUnit.SECONDS);
    }

    static boolean survives(int i) {
        return i % 10 == 0;
    }

    // ---- ours ------------------------------------------------------------------------------------

    @Benchmark
    public void asyncRuntime() {
        runtime.blockOn(Task.call(() -> Task.all(java.util.List.of(
                AsyncRuntime.current().spawn(new Churn(0)),
                AsyncRuntime.current().spawn(new Churn(PER_THREAD))))).flatMap(t -> t));
    }

    /** Inserts and cancels timeouts through the public API, polling them as a leaf task would. */
    final class Churn implements Task<Void> {
        private final int from;
        private final Task<?>[] window = new Task<?>[CANCEL_LAG];
        private int next;

        Churn(int from) {
            this.from = from;
            this.next = from;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            int end = from + PER_THREAD;
            int stop = Math.min(end, next + YIELD_EVERY);
            for (int i = next; i < stop; i++) {
                Task<Object> timeout = Time.timeout(delays[i], NEVER);
                timeout.poll(cx);                             // arms its timer
                int slot = i & (CANCEL_LAG - 1);
                Task<?> old = window[slot];
                if (old != null && !survives(i - CANCEL_LAG)) {
                    old.cancel();
                }
                window[slot] = timeout;
            }
            next = stop;
            if (next < end) {
                cx.requestYield();
                return Poll.pending();
            }
            for (int i = end - CANCEL_LAG; i < end; i++) {
                if (!survives(i)) {
                    window[i & (CANCEL_LAG - 1)].cancel();
                }
            }
            return Poll.ready(null);
        }
    }

    /** A task that never completes (what the timeouts guard). */
    static final Task<Object> NEVER = cx -> Poll.pending();

    // ---- Netty HashedWheelTimer, 1 ms tick ------------------------------------------------------

    static final io.netty.util.TimerTask NOOP_TIMER_TASK = timeout -> { };

    @Benchmark
    public void nettyHashedWheelTimer() throws Exception {
        Future<?>[] done = new Future<?>[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int from = t * PER_THREAD;
            done[t] = callers.submit(() -> {
                Timeout[] window = new Timeout[CANCEL_LAG];
                int end = from + PER_THREAD;
                for (int i = from; i < end; i++) {
                    Timeout timeout = wheel.newTimeout(NOOP_TIMER_TASK, delayMillis[i], TimeUnit.MILLISECONDS);
                    int slot = i & (CANCEL_LAG - 1);
                    if (window[slot] != null && !survives(i - CANCEL_LAG)) {
                        window[slot].cancel();
                    }
                    window[slot] = timeout;
                }
                for (int i = end - CANCEL_LAG; i < end; i++) {
                    if (!survives(i)) {
                        window[i & (CANCEL_LAG - 1)].cancel();
                    }
                }
            });
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    // ---- ScheduledThreadPoolExecutor(removeOnCancel) --------------------------------------------

    static final Runnable NOOP = () -> { };

    @Benchmark
    public void scheduledThreadPoolExecutor() throws Exception {
        Future<?>[] done = new Future<?>[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int from = t * PER_THREAD;
            done[t] = callers.submit(() -> {
                java.util.concurrent.ScheduledFuture<?>[] window = new java.util.concurrent.ScheduledFuture<?>[CANCEL_LAG];
                int end = from + PER_THREAD;
                for (int i = from; i < end; i++) {
                    var future = stpe.schedule(NOOP, delayMillis[i], TimeUnit.MILLISECONDS);
                    int slot = i & (CANCEL_LAG - 1);
                    if (window[slot] != null && !survives(i - CANCEL_LAG)) {
                        window[slot].cancel(false);
                    }
                    window[slot] = future;
                }
                for (int i = end - CANCEL_LAG; i < end; i++) {
                    if (!survives(i)) {
                        window[i & (CANCEL_LAG - 1)].cancel(false);
                    }
                }
            });
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    // ---- Netty event loop schedule (each loop on itself) -----------------------------------------

    @Benchmark
    public void nettyEventLoopSchedule() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(THREADS);
        for (int t = 0; t < THREADS; t++) {
            int from = t * PER_THREAD;
            EventLoop loop = (EventLoop) loops.next();
            loop.execute(() -> {
                ScheduledFuture<?>[] window = new ScheduledFuture<?>[CANCEL_LAG];
                int end = from + PER_THREAD;
                for (int i = from; i < end; i++) {
                    ScheduledFuture<?> future = loop.schedule(NOOP, delayMillis[i], TimeUnit.MILLISECONDS);
                    int slot = i & (CANCEL_LAG - 1);
                    if (window[slot] != null && !survives(i - CANCEL_LAG)) {
                        window[slot].cancel(false);
                    }
                    window[slot] = future;
                }
                for (int i = end - CANCEL_LAG; i < end; i++) {
                    if (!survives(i)) {
                        window[i & (CANCEL_LAG - 1)].cancel(false);
                    }
                }
                done.countDown();
            });
        }
        done.await();
    }
}

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
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Timer churn, the timeout pattern of a busy service: 1,000,000 timeouts with deadlines spread
 * over 1–10 s, inserted from two threads (500,000 each); 90% are cancelled before they fire, the
 * other 10% are left to fire. One invocation is the whole million; the score is the time for it
 * (lower is better), so {@code 1e6 / score} is inserts+cancels per millisecond.
 *
 * <p>The same schedule for every peer ({@link ChurnWindow}): a timeout that is cancelled is
 * cancelled once it has been armed for at least two ticks (2 ms), so the cancel meets a timer the
 * structure has had time to file, not one still waiting in an inbox. The clock stops once the
 * structure has absorbed the work: after the last cancel, each peer arms a 2 ms marker timer on
 * the same structure and the invocation ends when it fires. A structure that files and cancels
 * on its own thread in arrival order (our driver's inbox, HashedWheelTimer's queues) has then
 * processed every insert and cancel made before the marker; STPE ({@code removeOnCancel}) and a
 * Netty loop scheduling on itself do both at once, and pay the same marker.
 *
 * <p>Ours runs as two tasks on a 2-worker runtime that yield every {@value ChurnWindow#BATCH}
 * timers, so the scheduler turns the time driver inside the measured time, as in a real service.
 * {@code HashedWheelTimer} and STPE are driven from two plain threads; the Netty event loops each
 * schedule on themselves (Netty's fast path). Only the measured timer is built in a fork.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 15)
// Pre-touched (see SchedulerBenchmarks); the timers surviving a few seconds of churn take ~0.5 GB.
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class TimerChurnBenchmark {

    static final int TIMERS = 1_000_000;
    static final int THREADS = 2;
    static final int PER_THREAD = TIMERS / THREADS;
    /** The marker armed after the last cancel: two ticks, as the cancel lag. */
    static final long MARKER_NANOS = ChurnWindow.CANCEL_LAG_NANOS;

    @Param({"asyncRuntime", "nettyHashedWheelTimer", "scheduledThreadPoolExecutor", "nettyEventLoopSchedule"})
    public String peer;

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
        switch (peer) {
            case "asyncRuntime" -> runtime = AsyncRuntime.builder().workerThreads(THREADS).build();
            case "nettyHashedWheelTimer" -> {
                wheel = new HashedWheelTimer(Executors.defaultThreadFactory(), 1, TimeUnit.MILLISECONDS, 512);
                wheel.start();
                callers = Executors.newFixedThreadPool(THREADS);
            }
            case "scheduledThreadPoolExecutor" -> {
                stpe = new ScheduledThreadPoolExecutor(1);
                stpe.setRemoveOnCancelPolicy(true);
                callers = Executors.newFixedThreadPool(THREADS);
            }
            case "nettyEventLoopSchedule" -> loops = new MultiThreadIoEventLoopGroup(THREADS, NioIoHandler.newFactory());
            default -> throw new IllegalArgumentException("peer " + peer);
        }
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        if (runtime != null) {
            runtime.close();
        }
        if (wheel != null) {
            wheel.stop();
        }
        if (stpe != null) {
            stpe.shutdownNow();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (callers != null) {
            callers.shutdownNow();
            callers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static boolean survives(int i) {
        return i % 10 == 0;
    }

    @Benchmark
    public void churn() throws Exception {
        switch (peer) {
            case "asyncRuntime" -> ours();
            case "nettyHashedWheelTimer" -> {
                onCallers(i -> wheel.newTimeout(NOOP_TIMER_TASK, delayMillis[i], TimeUnit.MILLISECONDS),
                        timeout -> ((Timeout) timeout).cancel());
                CountDownLatch marker = new CountDownLatch(1);
                wheel.newTimeout(t -> marker.countDown(), MARKER_NANOS, TimeUnit.NANOSECONDS);
                marker.await();
            }
            case "scheduledThreadPoolExecutor" -> {
                onCallers(i -> stpe.schedule(NOOP, delayMillis[i], TimeUnit.MILLISECONDS),
                        future -> ((java.util.concurrent.ScheduledFuture<?>) future).cancel(false));
                CountDownLatch marker = new CountDownLatch(1);
                stpe.schedule(marker::countDown, MARKER_NANOS, TimeUnit.NANOSECONDS);
                marker.await();
            }
            case "nettyEventLoopSchedule" -> nettyLoops();
            default -> throw new IllegalStateException(peer);
        }
    }

    // ---- ours ------------------------------------------------------------------------------------

    private void ours() {
        runtime.blockOn(Task.call(() -> Task.all(List.of(
                        AsyncRuntime.current().spawn(new Churn(0)),
                        AsyncRuntime.current().spawn(new Churn(PER_THREAD)))))
                .flatMap(both -> both)
                .flatMap(done -> Time.sleep(Duration.ofNanos(MARKER_NANOS))));
    }

    /** Inserts and cancels timeouts through the public API, polling them as a leaf task would. */
    final class Churn implements Task<Void> {
        private final ChurnWindow window;
        /** A sleep until the oldest batch may be cancelled, once everything is inserted. */
        private Task<Void> wait;

        Churn(int from) {
            this.window = new ChurnWindow(from, PER_THREAD);
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            while (true) {
                if (wait != null) {
                    if (wait.poll(cx).isPending()) {
                        return Poll.pending();
                    }
                    wait = null;
                }
                long now = System.nanoTime();
                window.cancelDue(now, timeout -> ((Task<?>) timeout).cancel());
                if (!window.insertedAll()) {
                    int stop = window.startBatch(now);
                    for (int i = window.nextIndex(); i < stop; i++) {
                        Task<Object> timeout = Time.timeout(delays[i], NEVER);
                        timeout.poll(cx);                             // arms its timer
                        window.store(i, timeout);
                    }
                    cx.requestYield();
                    return Poll.pending();
                }
                if (window.settled()) {
                    return Poll.ready(null);
                }
                wait = Time.sleep(Duration.ofNanos(window.nanosUntilDue(now)));
            }
        }
    }

    /** A task that never completes (what the timeouts guard). */
    static final Task<Object> NEVER = cx -> Poll.pending();

    // ---- HashedWheelTimer and STPE: two plain threads ---------------------------------------------

    static final io.netty.util.TimerTask NOOP_TIMER_TASK = timeout -> { };
    static final Runnable NOOP = () -> { };

    private void onCallers(IntFunction<Object> insert, Consumer<Object> cancel) throws Exception {
        Future<?>[] done = new Future<?>[THREADS];
        for (int t = 0; t < THREADS; t++) {
            ChurnWindow window = new ChurnWindow(t * PER_THREAD, PER_THREAD);
            done[t] = callers.submit(() -> {
                while (!window.settled()) {
                    long now = System.nanoTime();
                    window.cancelDue(now, cancel);
                    if (!window.insertedAll()) {
                        int stop = window.startBatch(now);
                        for (int i = window.nextIndex(); i < stop; i++) {
                            window.store(i, insert.apply(i));
                        }
                    } else if (!window.settled()) {
                        LockSupport.parkNanos(window.nanosUntilDue(now));
                    }
                }
            });
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    // ---- Netty event loops, each scheduling on itself --------------------------------------------

    private void nettyLoops() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(THREADS);
        for (int t = 0; t < THREADS; t++) {
            EventLoop loop = (EventLoop) loops.next();
            loop.execute(new LoopChurn(loop, new ChurnWindow(t * PER_THREAD, PER_THREAD), done));
        }
        done.await();
        if (failure != null) {
            throw new IllegalStateException("a loop failed", failure);
        }
    }

    /** Set by a loop whose churn threw; it also releases the benchmark thread. */
    volatile Throwable failure;

    /** Runs on its loop to the end of the inserts, then comes back when the next batch may be cancelled. */
    final class LoopChurn implements Runnable {
        private final EventLoop loop;
        private final ChurnWindow window;
        private final CountDownLatch done;

        LoopChurn(EventLoop loop, ChurnWindow window, CountDownLatch done) {
            this.loop = loop;
            this.window = window;
            this.done = done;
        }

        /** A failure is handed to the benchmark thread, which it releases, rather than hanging it. */
        @Override
        public void run() {
            try {
                step();
            } catch (RuntimeException | Error e) {
                failure = e;
                for (int t = 0; t < THREADS; t++) {
                    done.countDown();
                }
            }
        }

        private void step() {
            while (true) {
                long now = System.nanoTime();
                window.cancelDue(now, future -> ((io.netty.util.concurrent.ScheduledFuture<?>) future).cancel(false));
                if (!window.insertedAll()) {
                    int stop = window.startBatch(now);
                    for (int i = window.nextIndex(); i < stop; i++) {
                        window.store(i, loop.schedule(NOOP, delayMillis[i], TimeUnit.MILLISECONDS));
                    }
                } else if (!window.settled()) {
                    loop.schedule((Runnable) this, window.nanosUntilDue(now), TimeUnit.NANOSECONDS);
                    return;
                } else {
                    loop.schedule(done::countDown, MARKER_NANOS, TimeUnit.NANOSECONDS);
                    return;
                }
            }
        }
    }
}

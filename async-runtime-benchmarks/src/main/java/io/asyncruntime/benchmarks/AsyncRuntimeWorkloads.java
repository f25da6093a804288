package io.asyncruntime.benchmarks;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;

/**
 * The workloads on this runtime, written as a Tokio user writes them: leaf tasks against
 * {@code poll(Context)}, spawned with {@code AsyncRuntime.current().spawn(task)} from inside and
 * {@code runtime.spawn(task)} from outside, on a runtime built with the defaults except the worker
 * count.
 *
 * <ul>
 *   <li>{@code spawn_many_*}: one stateless {@code Task} instance is spawned 10,000 times, so the
 *       runtime's cell is the only allocation per spawn (as a {@code ForkJoinTask} is for the FJP
 *       peer), as it is for {@code spawn(Runnable)}.</li>
 *   <li>{@code yield_many}: a leaf task that calls {@code cx.requestYield()} and returns pending,
 *       which is what {@code Task.yieldNow()} does, without a new {@code YieldNow} per yield (an
 *       {@code async fn} in Rust keeps its {@code yield_now()} future inline, too).</li>
 *   <li>{@code ping_pong}: the oneshot is the benchmark's {@link OneShot} holding the receiver's
 *       {@link Waker}, the same cell every peer uses, rather than a {@code CompletableFuture}
 *       through {@code Task.fromCompletionStage}, so the comparison is about scheduling.</li>
 *   <li>idle tasks: a leaf task that registers its {@code Waker} on a {@link OneShot} (the
 *       like-for-like row), or {@code spawn(Task.never())} (bare pending: the cell alone); the
 *       runtime's own poll counter tells when all of them have been polled once.</li>
 * </ul>
 */
public final class AsyncRuntimeWorkloads implements Workloads {

    private final AsyncRuntime runtime;

    public AsyncRuntimeWorkloads(int threads) {
        runtime = AsyncRuntime.builder().workerThreads(threads).threadNamePrefix("bench-rt").build();
    }

    /** The runtime the workloads run on (to switch on poll sampling, for one). */
    public AsyncRuntime runtime() {
        return runtime;
    }

    @Override
    public void spawnManyLocal(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Task<Void> child = countingDown(countdown);
        runtime.spawn((Task<Void>) cx -> {
            AsyncRuntime current = AsyncRuntime.current();
            for (int i = 0; i < tasks; i++) {
                current.spawn(child);
            }
            return Poll.ready(null);
        });
        countdown.await("spawn_many_local on async-runtime");
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Task<Void> child = countingDown(countdown);
        for (int i = 0; i < tasks; i++) {
            runtime.spawn(child);
        }
        countdown.await("spawn_many_remote on async-runtime");
    }

    private static Task<Void> countingDown(Countdown countdown) {
        return cx -> {
            countdown.countDown();
            return Poll.ready(null);
        };
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            runtime.spawn(new YieldingTask(yieldsPerTask, countdown));
        }
        countdown.await("yield_many on async-runtime");
    }

    @Override
    public void pingPong(int pairs) {
        Countdown countdown = new Countdown(pairs);
        runtime.spawn((Task<Void>) cx -> {
            AsyncRuntime current = AsyncRuntime.current();
            for (int i = 0; i < pairs; i++) {
                current.spawn(new PingTask(countdown));
            }
            return Poll.ready(null);
        });
        countdown.await("ping_pong on async-runtime");
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        runtime.spawn(new ChainLink(links, countdown));
        countdown.await("chained_spawn on async-runtime");
    }

    @Override
    public void spawnWaitingOn(OneShot never) {
        runtime.spawn(new WaitingTask(never));
    }

    @Override
    public Object spawnBarePending() {
        return runtime.spawn(Task.never());
    }

    /** Each idle task is polled once: the runtime's poll count is the number of waiting tasks. */
    @Override
    public long waitingTasks() {
        return runtime.metrics().totalPolls();
    }

    /** The runtime's counters, for {@code diagnostics.SchedulerCounters}. */
    public RuntimeMetrics metrics() {
        return runtime.metrics();
    }

    /**
     * No drain: the idle-footprint tasks never finish, and close() would wait the whole shutdown
     * timeout for them (a graceful shutdown, issue 10). They are aborted at once instead.
     */
    @Override
    public void close() {
        runtime.shutdownGracefully(java.time.Duration.ZERO);
    }

    private static final class YieldingTask implements Task<Void> {
        private final Countdown countdown;
        private int yieldsLeft;

        YieldingTask(int yields, Countdown countdown) {
            this.yieldsLeft = yields;
            this.countdown = countdown;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (yieldsLeft > 0) {
                yieldsLeft--;
                cx.requestYield();
                return Poll.pending();
            }
            countdown.countDown();
            return Poll.ready(null);
        }
    }

    /** Spawns its peer, sends the ping, waits for the pong. */
    private static final class PingTask implements Task<Void> {
        private final Countdown countdown;
        private OneShot pong;

        PingTask(Countdown countdown) {
            this.countdown = countdown;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (pong == null) {
                OneShot ping = new OneShot();
                pong = new OneShot();
                AsyncRuntime.current().spawn(new PongTask(ping, pong));
                wake(ping.send());
            }
            if (!pong.isSent() && pong.register(cx.waker())) {
                return Poll.pending();
            }
            countdown.countDown();
            return Poll.ready(null);
        }
    }

    /** Waits for the ping, answers with the pong. */
    private static final class PongTask implements Task<Void> {
        private final OneShot ping;
        private final OneShot pong;

        PongTask(OneShot ping, OneShot pong) {
            this.ping = ping;
            this.pong = pong;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (!ping.isSent() && ping.register(cx.waker())) {
                return Poll.pending();
            }
            wake(pong.send());
            return Poll.ready(null);
        }
    }

    /** Waits for a {@link OneShot}, as {@code ping_pong}'s tasks do. */
    private static final class WaitingTask implements Task<Void> {
        private final OneShot shot;

        WaitingTask(OneShot shot) {
            this.shot = shot;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (!shot.isSent() && shot.register(cx.waker())) {
                return Poll.pending();
            }
            return Poll.ready(null);
        }
    }

    private static void wake(Object waiter) {
        if (waiter != null) {
            ((Waker) waiter).wake();
        }
    }

    private static final class ChainLink implements Task<Void> {
        private final int remaining;
        private final Countdown countdown;

        ChainLink(int remaining, Countdown countdown) {
            this.remaining = remaining;
            this.countdown = countdown;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (remaining == 0) {
                countdown.countDown();
            } else {
                AsyncRuntime.current().spawn(new ChainLink(remaining - 1, countdown));
            }
            return Poll.ready(null);
        }
    }
}

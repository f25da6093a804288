package io.asyncruntime.benchmarks.peers;

import io.asyncruntime.benchmarks.Countdown;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * The workloads for peers that take plain {@link Runnable}s through {@link Executor#execute}:
 * {@code ThreadPoolExecutor}, Netty event loops, Kotlin's {@code Dispatchers.Default}.
 *
 * <p>A "task" here is a {@code Runnable} state machine; waiting means registering the runnable
 * somewhere and returning; waking means executing it again on its <em>home</em> executor. A task
 * spawned from inside another task goes to the spawner's home: for a pool that is the pool
 * itself, for Netty it is the event loop the spawner runs on (Netty has no stealing, and code
 * inside a loop uses {@code ctx.executor()}). A task spawned from outside gets the home that
 * {@link #nextHome()} picks (Netty: the group's round robin, as {@code group.execute} does).
 *
 * <p>These peers run bare runnables with no join handle or result slot, so their numbers are a
 * floor on scheduling overhead rather than a like-for-like rival of a runtime with handles.
 */
public abstract class ExecutorWorkloads implements Workloads {

    private final String name;

    protected ExecutorWorkloads(String name) {
        this.name = name;
    }

    /** The executor a task spawned from outside goes to; its children stay there. */
    protected abstract Executor nextHome();

    /** Re-queues a running task behind the other queued tasks of its home (a yield). */
    protected void yieldTo(Executor home, Runnable task) {
        home.execute(task);
    }

    /** A {@code ThreadPoolExecutor} with a fixed number of threads and an unbounded queue. */
    public static Workloads threadPool(int threads) {
        return new ThreadPoolWorkloads(threads);
    }

    /** A Netty {@code MultiThreadIoEventLoopGroup} with the NIO handler. */
    public static Workloads nettyNio(int threads) {
        return NettyWorkloads.nio(threads);
    }

    /** A Netty {@code MultiThreadIoEventLoopGroup} with the native epoll handler. */
    public static Workloads nettyEpoll(int threads) {
        return NettyWorkloads.epoll(threads);
    }

    /** Kotlin's {@code Dispatchers.Default}, capped at {@code threads} CPU workers, used as an executor. */
    public static Workloads kotlinDefault(int threads) {
        return KotlinWorkloads.start(threads);
    }

    @Override
    public void spawnManyLocal(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Runnable child = countdown::countDown;
        Executor home = nextHome();
        home.execute(() -> {
            for (int i = 0; i < tasks; i++) {
                home.execute(child);
            }
        });
        countdown.await("spawn_many_local on " + name);
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Runnable child = countdown::countDown;
        for (int i = 0; i < tasks; i++) {
            nextHome().execute(child);
        }
        countdown.await("spawn_many_remote on " + name);
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            Executor home = nextHome();
            home.execute(new YieldingTask(home, yieldsPerTask, countdown));
        }
        countdown.await("yield_many on " + name);
    }

    @Override
    public void pingPong(int pairs) {
        Countdown countdown = new Countdown(pairs);
        Executor home = nextHome();
        home.execute(() -> {
            for (int i = 0; i < pairs; i++) {
                home.execute(new PingTask(home, countdown));
            }
        });
        countdown.await("ping_pong on " + name);
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        Executor home = nextHome();
        home.execute(new ChainLink(home, links, countdown));
        countdown.await("chained_spawn on " + name);
    }

    /**
     * The floor for an idle callback-style task: a {@link CompletableFuture} that never completes
     * with one asynchronous continuation registered by a task that ran on the executor.
     */
    @Override
    public Object spawnIdle(LongAdder waiting) {
        CompletableFuture<Void> never = new CompletableFuture<>();
        Executor home = nextHome();
        home.execute(() -> {
            never.thenRunAsync(Idle.CONTINUATION, home);
            waiting.increment();
        });
        return never;
    }

    /** Shared by every idle task: it never runs. */
    static final class Idle {
        static final Runnable CONTINUATION = () -> {
            throw new AssertionError("an idle task was woken");
        };

        private Idle() {
        }
    }

    private final class YieldingTask implements Runnable {
        private final Executor home;
        private final Countdown countdown;
        private int yieldsLeft;

        YieldingTask(Executor home, int yields, Countdown countdown) {
            this.home = home;
            this.yieldsLeft = yields;
            this.countdown = countdown;
        }

        @Override
        public void run() {
            if (yieldsLeft > 0) {
                yieldsLeft--;
                yieldTo(home, this);
            } else {
                countdown.countDown();
            }
        }
    }

    /** Sends a ping to a peer it spawns, then waits for the pong. */
    private static final class PingTask implements Runnable {
        private final Executor home;
        private final Countdown countdown;
        private boolean waitingForPong;
        private OneShot pong;

        PingTask(Executor home, Countdown countdown) {
            this.home = home;
            this.countdown = countdown;
        }

        @Override
        public void run() {
            if (waitingForPong) {
                countdown.countDown();
                return;
            }
            OneShot ping = new OneShot();
            pong = new OneShot();
            home.execute(new PongTask(home, ping, pong));
            wake(home, ping.send());
            // Set before registering: once registered, the peer may run this again on another thread.
            waitingForPong = true;
            if (!pong.register(this)) {
                countdown.countDown();
            }
        }
    }

    /** Waits for the ping, then answers with the pong. */
    private static final class PongTask implements Runnable {
        private final Executor home;
        private final OneShot ping;
        private final OneShot pong;

        PongTask(Executor home, OneShot ping, OneShot pong) {
            this.home = home;
            this.ping = ping;
            this.pong = pong;
        }

        @Override
        public void run() {
            if (!ping.isSent() && ping.register(this)) {
                return;
            }
            wake(home, pong.send());
        }
    }

    private static void wake(Executor home, Object waiter) {
        if (waiter != null) {
            home.execute((Runnable) waiter);
        }
    }

    private static final class ChainLink implements Runnable {
        private final Executor home;
        private final int remaining;
        private final Countdown countdown;

        ChainLink(Executor home, int remaining, Countdown countdown) {
            this.home = home;
            this.remaining = remaining;
            this.countdown = countdown;
        }

        @Override
        public void run() {
            if (remaining == 0) {
                countdown.countDown();
            } else {
                home.execute(new ChainLink(home, remaining - 1, countdown));
            }
        }
    }
}

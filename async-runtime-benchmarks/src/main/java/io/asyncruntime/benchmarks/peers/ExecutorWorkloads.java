package io.asyncruntime.benchmarks.peers;

import io.asyncruntime.benchmarks.Countdown;
import io.asyncruntime.benchmarks.IdleTasks;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workloads for peers that take plain {@link Runnable}s through {@link Executor#execute}:
 * {@code ThreadPoolExecutor} and Netty event loops.
 *
 * <p>A "task" here is a {@code Runnable} state machine with a <em>home</em> executor; waiting
 * means registering the runnable somewhere and returning; waking means executing it again on its
 * own home. A task spawned from outside gets the home that {@link #nextHome()} picks (Netty: the
 * group's round robin, as {@code group.execute} does); a task spawned from inside another gets the
 * home {@link Home#child} picks: for a pool the pool itself, for Netty either the spawner's own
 * loop (code inside a loop uses {@code ctx.executor()}; Netty has no stealing) or the next loop of
 * the group (the "spread" variant, as Netty spreads channels).
 *
 * <p>These peers run bare runnables with no join handle or result slot, so their numbers are a
 * floor on scheduling overhead rather than a like-for-like rival of a runtime with handles.
 */
public abstract class ExecutorWorkloads implements Workloads {

    private final String name;

    protected ExecutorWorkloads(String name) {
        this.name = name;
    }

    /** The home of a task spawned from outside. */
    protected abstract Home nextHome();

    /**
     * Where a task runs, and where the tasks it spawns go. One per executor (per loop), shared by
     * every task there, so the choice costs no field per task.
     */
    protected static final class Home {
        final Executor executor;
        private Spread spread;

        Home(Executor executor) {
            this.executor = executor;
        }

        /** The home of a task spawned by a task running here. */
        Home child() {
            return spread == null ? this : spread.next();
        }

        /** Puts every child of a task on any of {@code homes} on the next of them, round robin. */
        static void spread(Home[] homes) {
            Spread spread = new Spread(homes);
            for (Home home : homes) {
                home.spread = spread;
            }
        }
    }

    /** A round robin over homes with an atomic counter, as Netty's {@code group.next()} chooses. */
    private static final class Spread {
        private final Home[] homes;
        private final AtomicInteger index = new AtomicInteger();

        Spread(Home[] homes) {
            this.homes = homes;
        }

        Home next() {
            return homes[Math.floorMod(index.getAndIncrement(), homes.length)];
        }
    }

    /** A {@code ThreadPoolExecutor} with a fixed number of threads and an unbounded queue. */
    public static Workloads threadPool(int threads) {
        return new ThreadPoolWorkloads(threads);
    }

    /** A Netty {@code MultiThreadIoEventLoopGroup} with the NIO handler; children stay on their parent's loop. */
    public static Workloads nettyNio(int threads) {
        return NettyWorkloads.nio(threads);
    }

    /** A Netty {@code MultiThreadIoEventLoopGroup} with the native epoll handler; children stay on their parent's loop. */
    public static Workloads nettyEpoll(int threads) {
        return NettyWorkloads.epoll(threads, false);
    }

    /** A Netty epoll group that puts every spawned child on {@code group.next()}. */
    public static Workloads nettyEpollSpread(int threads) {
        return NettyWorkloads.epoll(threads, true);
    }

    @Override
    public void spawnManyLocal(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Runnable child = countdown::countDown;
        Home home = nextHome();
        home.executor.execute(() -> {
            for (int i = 0; i < tasks; i++) {
                home.child().executor.execute(child);
            }
        });
        countdown.await("spawn_many_local on " + name);
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Runnable child = countdown::countDown;
        for (int i = 0; i < tasks; i++) {
            nextHome().executor.execute(child);
        }
        countdown.await("spawn_many_remote on " + name);
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            new YieldingTask(nextHome(), yieldsPerTask, countdown).resume();
        }
        countdown.await("yield_many on " + name);
    }

    @Override
    public void pingPong(int pairs) {
        Countdown countdown = new Countdown(pairs);
        Home home = nextHome();
        home.executor.execute(() -> {
            for (int i = 0; i < pairs; i++) {
                new PingTask(home.child(), countdown).resume();
            }
        });
        countdown.await("ping_pong on " + name);
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        new ChainLink(nextHome(), links, countdown).resume();
        countdown.await("chained_spawn on " + name);
    }

    @Override
    public void spawnWaitingOn(OneShot never) {
        new OneShotWaiter(nextHome(), never).resume();
    }

    /** A runnable that ran once and re-queued itself nowhere. */
    @Override
    public Object spawnBarePending() {
        Runnable task = new BarePending();
        nextHome().executor.execute(task);
        return task;
    }

    /** A runnable task that knows its home: {@link #resume()} (re-)runs it there. */
    private abstract static class HomedTask implements Runnable {
        final Home home;

        HomedTask(Home home) {
            this.home = home;
        }

        final void resume() {
            home.executor.execute(this);
        }
    }

    private static void wake(Object waiter) {
        if (waiter != null) {
            ((HomedTask) waiter).resume();
        }
    }

    private static final class YieldingTask extends HomedTask {
        private final Countdown countdown;
        private int yieldsLeft;

        YieldingTask(Home home, int yields, Countdown countdown) {
            super(home);
            this.yieldsLeft = yields;
            this.countdown = countdown;
        }

        @Override
        public void run() {
            if (yieldsLeft > 0) {
                yieldsLeft--;
                resume(); // behind the other queued tasks of its home
            } else {
                countdown.countDown();
            }
        }
    }

    /** Sends a ping to a peer it spawns, then waits for the pong. */
    private static final class PingTask extends HomedTask {
        private final Countdown countdown;
        private boolean waitingForPong;
        private OneShot pong;

        PingTask(Home home, Countdown countdown) {
            super(home);
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
            new PongTask(home.child(), ping, pong).resume();
            wake(ping.send());
            // Set before registering: once registered, the peer may run this again on another thread.
            waitingForPong = true;
            if (!pong.register(this)) {
                countdown.countDown();
            }
        }
    }

    /** Waits for the ping, then answers with the pong. */
    private static final class PongTask extends HomedTask {
        private final OneShot ping;
        private final OneShot pong;

        PongTask(Home home, OneShot ping, OneShot pong) {
            super(home);
            this.ping = ping;
            this.pong = pong;
        }

        @Override
        public void run() {
            if (!ping.isSent() && ping.register(this)) {
                return;
            }
            wake(pong.send());
        }
    }

    private static final class ChainLink extends HomedTask {
        private final int remaining;
        private final Countdown countdown;

        ChainLink(Home home, int remaining, Countdown countdown) {
            super(home);
            this.remaining = remaining;
            this.countdown = countdown;
        }

        @Override
        public void run() {
            if (remaining == 0) {
                countdown.countDown();
            } else {
                new ChainLink(home.child(), remaining - 1, countdown).resume();
            }
        }
    }

    /** Registers itself on the OneShot; woken, it would run again on its home. */
    private static final class OneShotWaiter extends HomedTask {
        private final OneShot never;

        OneShotWaiter(Home home, OneShot never) {
            super(home);
            this.never = never;
        }

        @Override
        public void run() {
            if (never.register(this)) {
                IdleTasks.started();
            }
        }
    }

    private static final class BarePending implements Runnable {
        @Override
        public void run() {
            IdleTasks.started();
        }
    }
}

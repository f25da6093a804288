package io.asyncruntime.benchmarks.peers;

import io.asyncruntime.benchmarks.Countdown;
import io.asyncruntime.benchmarks.IdleTasks;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * {@code ForkJoinPool} driven through its native API: every task is a {@link ForkJoinTask} (one
 * allocation per spawn, no {@code Runnable} adapter). Inside the pool a task spawns with
 * {@code fork()}, which pushes to the calling worker's own deque; outside threads use
 * {@code pool.execute(task)}, which goes to a shared submission queue.
 *
 * <p>Two modes, two columns, and the goal is measured against the better one per workload:
 * <ul>
 *   <li>async (FIFO) mode, meant for event-style tasks that are never joined; a worker takes its
 *       own tasks oldest first;</li>
 *   <li>the default LIFO mode: a worker pops its newest task first (fork/join locality). Measured
 *       on JDK 25 it did ping_pong ~3x and chained_spawn ~1.5x faster than async mode. It has no
 *       {@code yield_many}: a task that re-forks itself is pushed on top of its own deque and
 *       popped straight back, which is not a yield.</li>
 * </ul>
 *
 * <p>A task that waits returns {@code false} from {@code exec()}, so it is not marked done and can
 * be executed again when it is woken: the same object is re-queued, as a waker re-queues a task.
 */
public final class ForkJoinWorkloads implements Workloads {

    private final String name;
    private final boolean asyncMode;
    private final ForkJoinPool pool;

    public ForkJoinWorkloads(int threads, boolean asyncMode) {
        this.asyncMode = asyncMode;
        this.name = asyncMode ? "ForkJoinPool (async mode)" : "ForkJoinPool (LIFO mode)";
        pool = new ForkJoinPool(threads, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, asyncMode);
    }

    @Override
    public void spawnManyLocal(int tasks) {
        Countdown countdown = new Countdown(tasks);
        pool.execute(new Step() {
            @Override
            void step() {
                for (int i = 0; i < tasks; i++) {
                    new CountdownTask(countdown).fork();
                }
            }
        });
        countdown.await("spawn_many_local on " + name);
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            pool.execute(new CountdownTask(countdown));
        }
        countdown.await("spawn_many_remote on " + name);
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        if (!asyncMode) {
            throw new UnsupportedOperationException("yield_many has no LIFO-mode form: a re-forked task pops itself straight back");
        }
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            pool.execute(new YieldingTask(yieldsPerTask, countdown));
        }
        countdown.await("yield_many on " + name);
    }

    @Override
    public void pingPong(int pairs) {
        Countdown countdown = new Countdown(pairs);
        pool.execute(new Step() {
            @Override
            void step() {
                for (int i = 0; i < pairs; i++) {
                    new PingTask(countdown).fork();
                }
            }
        });
        countdown.await("ping_pong on " + name);
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        pool.execute(new ChainLink(links, countdown));
        countdown.await("chained_spawn on " + name);
    }

    @Override
    public void spawnWaitingOn(OneShot never) {
        pool.execute(new OneShotWaiter(never));
    }

    @Override
    public Object spawnBarePending() {
        BarePending task = new BarePending();
        pool.execute(task);
        return task;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        Shutdown.await(pool::awaitTermination, name);
    }

    /** A task body; {@code exec} returns {@code false} so a woken task can be executed again. */
    abstract static class Step extends ForkJoinTask<Void> {
        private static final long serialVersionUID = 1L;

        abstract void step();

        @Override
        protected final boolean exec() {
            step();
            return false;
        }

        @Override
        public final Void getRawResult() {
            return null;
        }

        @Override
        protected final void setRawResult(Void value) {
        }
    }

    /** Registers itself on the OneShot and returns {@code false}: woken, it would be forked again. */
    private static final class OneShotWaiter extends Step {
        private static final long serialVersionUID = 1L;
        private final transient OneShot never;

        OneShotWaiter(OneShot never) {
            this.never = never;
        }

        @Override
        void step() {
            if (never.register(this)) {
                IdleTasks.started();
            }
        }
    }

    /** Returns {@code false} from {@code exec} and is never forked again: pending, registered nowhere. */
    private static final class BarePending extends Step {
        private static final long serialVersionUID = 1L;

        @Override
        void step() {
            IdleTasks.started();
        }
    }

    private static final class CountdownTask extends Step {
        private static final long serialVersionUID = 1L;
        private final transient Countdown countdown;

        CountdownTask(Countdown countdown) {
            this.countdown = countdown;
        }

        @Override
        void step() {
            countdown.countDown();
        }
    }

    private static final class YieldingTask extends Step {
        private static final long serialVersionUID = 1L;
        private final transient Countdown countdown;
        private int yieldsLeft;

        YieldingTask(int yields, Countdown countdown) {
            this.yieldsLeft = yields;
            this.countdown = countdown;
        }

        @Override
        void step() {
            if (yieldsLeft > 0) {
                yieldsLeft--;
                fork(); // async mode: behind the worker's other queued tasks
            } else {
                countdown.countDown();
            }
        }
    }

    private static final class PingTask extends Step {
        private static final long serialVersionUID = 1L;
        private final transient Countdown countdown;
        private boolean waitingForPong;

        PingTask(Countdown countdown) {
            this.countdown = countdown;
        }

        @Override
        void step() {
            if (waitingForPong) {
                countdown.countDown();
                return;
            }
            OneShot ping = new OneShot();
            OneShot pong = new OneShot();
            new PongTask(ping, pong).fork();
            wake(ping.send());
            // Set before registering: once registered, the peer may execute this on another worker.
            waitingForPong = true;
            if (!pong.register(this)) {
                countdown.countDown();
            }
        }
    }

    private static final class PongTask extends Step {
        private static final long serialVersionUID = 1L;
        private final transient OneShot ping;
        private final transient OneShot pong;

        PongTask(OneShot ping, OneShot pong) {
            this.ping = ping;
            this.pong = pong;
        }

        @Override
        void step() {
            if (!ping.isSent() && ping.register(this)) {
                return;
            }
            wake(pong.send());
        }
    }

    private static void wake(Object waiter) {
        if (waiter != null) {
            ((ForkJoinTask<?>) waiter).fork();
        }
    }

    private static final class ChainLink extends Step {
        private static final long serialVersionUID = 1L;
        private final int remaining;
        private final transient Countdown countdown;

        ChainLink(int remaining, Countdown countdown) {
            this.remaining = remaining;
            this.countdown = countdown;
        }

        @Override
        void step() {
            if (remaining == 0) {
                countdown.countDown();
            } else {
                new ChainLink(remaining - 1, countdown).fork();
            }
        }
    }
}

package io.asyncruntime.benchmarks.peers;

import io.asyncruntime.benchmarks.Countdown;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ForkJoinPool} in async (FIFO) mode, the mode meant for event-style tasks that are never
 * joined, driven through its native API: every task is a {@link ForkJoinTask} (one allocation per
 * spawn, no {@code Runnable} adapter). Inside the pool a task spawns with {@code fork()}, which
 * pushes to the calling worker's own deque; outside threads use {@code pool.execute(task)}, which
 * goes to a shared submission queue. This is the strongest form of the peer that the project's goal is measured against.
 *
 * <p>A task that waits returns {@code false} from {@code exec()}, so it is not marked done and can
 * be executed again when it is woken: the same object is re-queued, as a waker re-queues a task.
 */
public final class ForkJoinWorkloads implements Workloads {

    private static final String NAME = "ForkJoinPool";

    private final ForkJoinPool pool;

    public ForkJoinWorkloads(int threads) {
        pool = new ForkJoinPool(threads, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
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
        countdown.await("spawn_many_local on " + NAME);
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            pool.execute(new CountdownTask(countdown));
        }
        countdown.await("spawn_many_remote on " + NAME);
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        Countdown countdown = new Countdown(tasks);
        for (int i = 0; i < tasks; i++) {
            pool.execute(new YieldingTask(yieldsPerTask, countdown));
        }
        countdown.await("yield_many on " + NAME);
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
        countdown.await("ping_pong on " + NAME);
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        pool.execute(new ChainLink(links, countdown));
        countdown.await("chained_spawn on " + NAME);
    }

    /** The callback-style floor: a never-completing {@link CompletableFuture} with one async continuation. */
    @Override
    public Object spawnIdle(LongAdder waiting) {
        CompletableFuture<Void> never = new CompletableFuture<>();
        pool.execute(new Step() {
            @Override
            void step() {
                never.thenRunAsync(ExecutorWorkloads.Idle.CONTINUATION, pool);
                waiting.increment();
            }
        });
        return never;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        Shutdown.await(pool::awaitTermination, NAME);
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

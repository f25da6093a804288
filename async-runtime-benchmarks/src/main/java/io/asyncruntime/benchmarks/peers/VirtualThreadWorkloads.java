package io.asyncruntime.benchmarks.peers;

import io.asyncruntime.benchmarks.Countdown;
import io.asyncruntime.benchmarks.IdleTasks;
import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.locks.LockSupport;

/**
 * Virtual threads (JDK 21+): one virtual thread per task on the JDK's default scheduler (a FIFO
 * {@code ForkJoinPool}) with {@value #PARALLELISM_PROPERTY} = {@link Implementation#WORKER_THREADS}
 * carriers. Blocking code is the idiom: a yield is {@code Thread.yield()}, waiting for a message
 * is parking, waking is unparking.
 *
 * <p>This module compiles with {@code --release 17}, so {@code Thread.startVirtualThread} is
 * reached through a method handle and the implementation reports itself unavailable before JDK 21.
 */
public final class VirtualThreadWorkloads implements Workloads {

    static final String PARALLELISM_PROPERTY = "jdk.virtualThreadScheduler.parallelism";
    private static final int FIRST_FEATURE_RELEASE = 21;
    private static final String NAME = "virtual threads";
    private static final MethodHandle START_VIRTUAL_THREAD = findStartVirtualThread();

    public VirtualThreadWorkloads() {
        // Read once, when the JDK creates its scheduler (on the first virtual thread), so this only
        // helps when nothing started a virtual thread before; the JMH forks pass it on the command line.
        if (System.getProperty(PARALLELISM_PROPERTY) == null) {
            System.setProperty(PARALLELISM_PROPERTY, Integer.toString(Implementation.WORKER_THREADS));
        }
    }

    /** Why virtual threads cannot run here, or {@code null}. */
    public static String unavailableReason() {
        if (Runtime.version().feature() < FIRST_FEATURE_RELEASE) {
            return "virtual threads need JDK " + FIRST_FEATURE_RELEASE + "+, this is " + Runtime.version();
        }
        return START_VIRTUAL_THREAD == null ? "Thread.startVirtualThread(Runnable) not found" : null;
    }

    private static MethodHandle findStartVirtualThread() {
        if (Runtime.version().feature() < FIRST_FEATURE_RELEASE) {
            return null;
        }
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    static Thread start(Runnable body) {
        try {
            return (Thread) START_VIRTUAL_THREAD.invokeExact(body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not start a virtual thread", e);
        }
    }

    @Override
    public void spawnManyLocal(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Runnable child = countdown::countDown;
        start(() -> {
            for (int i = 0; i < tasks; i++) {
                start(child);
            }
        });
        countdown.await("spawn_many_local on " + NAME);
    }

    @Override
    public void spawnManyRemote(int tasks) {
        Countdown countdown = new Countdown(tasks);
        Runnable child = countdown::countDown;
        for (int i = 0; i < tasks; i++) {
            start(child);
        }
        countdown.await("spawn_many_remote on " + NAME);
    }

    @Override
    public void yieldMany(int tasks, int yieldsPerTask) {
        Countdown countdown = new Countdown(tasks);
        Runnable body = () -> {
            for (int i = 0; i < yieldsPerTask; i++) {
                Thread.yield();
            }
            countdown.countDown();
        };
        for (int i = 0; i < tasks; i++) {
            start(body);
        }
        countdown.await("yield_many on " + NAME);
    }

    @Override
    public void pingPong(int pairs) {
        Countdown countdown = new Countdown(pairs);
        Runnable pair = () -> {
            OneShot ping = new OneShot();
            OneShot pong = new OneShot();
            start(() -> {
                receive(ping);
                wake(pong.send());
            });
            wake(ping.send());
            receive(pong);
            countdown.countDown();
        };
        start(() -> {
            for (int i = 0; i < pairs; i++) {
                start(pair);
            }
        });
        countdown.await("ping_pong on " + NAME);
    }

    private static void receive(OneShot shot) {
        if (shot.register(Thread.currentThread())) {
            while (!shot.isSent()) {
                LockSupport.park(shot);
            }
        }
    }

    private static void wake(Object waiter) {
        if (waiter != null) {
            LockSupport.unpark((Thread) waiter);
        }
    }

    @Override
    public void chainedSpawn(int links) {
        Countdown countdown = new Countdown(1);
        start(new ChainLink(links, countdown));
        countdown.await("chained_spawn on " + NAME);
    }

    private static final class ChainLink implements Runnable {
        private final int remaining;
        private final Countdown countdown;

        ChainLink(int remaining, Countdown countdown) {
            this.remaining = remaining;
            this.countdown = countdown;
        }

        @Override
        public void run() {
            if (remaining == 0) {
                countdown.countDown();
            } else {
                start(new ChainLink(remaining - 1, countdown));
            }
        }
    }

    /** A virtual thread that registers itself on the OneShot and parks until it is sent. */
    @Override
    public void spawnWaitingOn(OneShot never) {
        start(new OneShotWaiter(never));
    }

    /** A parked virtual thread registered nowhere; the thread object is what keeps it reachable. */
    @Override
    public Object spawnBarePending() {
        return start(BARE_PENDING);
    }

    private static final Runnable BARE_PENDING = () -> {
        IdleTasks.started();
        while (true) {
            LockSupport.park();
        }
    };

    private static final class OneShotWaiter implements Runnable {
        private final OneShot never;

        OneShotWaiter(OneShot never) {
            this.never = never;
        }

        @Override
        public void run() {
            if (never.register(Thread.currentThread())) {
                IdleTasks.started();
                while (!never.isSent()) {
                    LockSupport.park(never);
                }
            }
        }
    }

    @Override
    public void close() {
        // The JDK's scheduler is process-wide; virtual threads are daemons.
    }
}

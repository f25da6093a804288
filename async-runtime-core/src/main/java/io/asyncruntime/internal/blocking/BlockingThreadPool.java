package io.asyncruntime.internal.blocking;

import io.asyncruntime.internal.scheduler.BlockingTask;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.task.JoinHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blocking pool: threads that run {@link BlockingTask}s to completion, a thread cap, a
 * keep-alive, and a queue whose bound is what {@link #trySpawn} enforces.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li><b>One lock, O(1) under it.</b> The queue, the idle-thread stack and the counts are
 *       guarded by {@link #lock}; nothing else runs under it (no user code, no thread start, no
 *       unpark), so a worker that spawns blocking work waits at most for another thread's queue
 *       operation. Tokio's pool is the same shape (one mutex around a deque); the JDK's
 *       {@code ThreadPoolExecutor} queue takes a lock per offer and per take as well.</li>
 *   <li><b>Wake one searcher at a time</b> (the scheduler's rule, applied here). A thread that is
 *       awake and about to look at the queue is <em>searching</em>. A spawn queues its task and
 *       wakes (or starts) a thread only if none is searching; a searcher that takes a task and
 *       leaves work behind wakes the next one. So a burst of spawns costs a handful of unparks,
 *       not one per task, and a thread that finishes a task takes the next without parking.
 *       Invariant (all under the lock, so no wake-up is lost): while the queue holds tasks and a
 *       thread could take them (one is idle, or the cap allows another), some thread is
 *       searching. Measured before this rule, with a hand-off per spawn to an idle thread: 0.1 M
 *       trivial calls/s against 0.9 M for a {@code ThreadPoolExecutor}, whose queue wakes takers in
 *       the same cascade.</li>
 *   <li><b>Warm threads first.</b> The idle stack is LIFO: the most recently idle thread is woken,
 *       and the cold ones reach their keep-alive and exit.</li>
 *   <li><b>Backpressure.</b> {@link #spawn} never rejects and never blocks: past what the free
 *       threads and {@code queueCapacity} can hold, the task still joins the queue's tail and
 *       counts as waiting for room; its handle completes once a thread gets to it.
 *       {@link #trySpawn} rejects instead. One FIFO keeps both in order: work that waited is
 *       never overtaken by later work.</li>
 *   <li><b>Virtual threads</b> (JDK 21+): the same queue and rule, but a searcher that finds the
 *       queue empty exits instead of idling (virtual threads are cheap to start, so none waits;
 *       the keep-alive does not apply), and at most {@code maxThreads} run at once.</li>
 *   <li><b>Paused clock.</b> Each task inhibits the test clock's auto-advance from the moment it
 *       is accepted until it completed or was cancelled, exactly once each way: blocking work in
 *       flight may be about to arm a timer, so virtual time must not jump past it.</li>
 * </ul>
 *
 * <p>Threads are daemons, bound to the runtime (its {@code AsyncRuntime.current()} and timers)
 * for their whole life; between tasks a thread clears its interrupt flag and restores its
 * context class loader, so one task's leftovers do not leak into the next.
 */
public final class BlockingThreadPool implements BlockingTask.Owner {

    private static final Logger log = LoggerFactory.getLogger(BlockingThreadPool.class);

    /** The pool the current thread serves, if any: shutdown never waits for its own caller. */
    private static final ThreadLocal<BlockingThreadPool> SERVING = new ThreadLocal<>();

    static final String SHUTDOWN_CANCELLATION = "cancelled: the blocking pool shut down before it started";

    private final PoolSettings settings;
    /** The context class loader of the thread that built the pool: every pool thread starts with it. */
    private final ClassLoader builderLoader;
    private final ThreadFactory threadFactory;
    private final Runnable onThreadStart;
    private final Runnable onThreadStop;
    private final TimeDriver time;
    private final BlockingTask.Factory tasks = new BlockingTask.Factory(this);
    private final LongAdder completed = new LongAdder();
    /** Numbers the platform threads this pool names ({@code prefix-N}), adopted ones included. */
    private final AtomicInteger threadNumbers = new AtomicInteger();

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a thread exits (shutdown waits on it). */
    private final Condition threadExited = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<BlockingTask<?>> queue = new ArrayDeque<>();
    private final ArrayDeque<PoolThread> idle = new ArrayDeque<>();
    /** Threads alive: searching, running a task, or idle. */
    private int threads;
    /** Threads awake and about to take from the queue (woken or started for it). */
    private int searching;
    private long rejections;
    private boolean closed;

    /**
     * A pool with {@code settings}. Its platform threads come from {@code platformThreads} (null:
     * daemon threads named {@code prefix-N}); with {@code settings.virtualThreads()} it makes
     * virtual threads instead. Each thread runs {@code onThreadStart} first and
     * {@code onThreadStop} last (the runtime binds its identity there).
     */
    public BlockingThreadPool(PoolSettings settings, ThreadFactory platformThreads, Runnable onThreadStart,
                              Runnable onThreadStop, TimeDriver time) {
        this(settings, platformThreads, onThreadStart, onThreadStop, time, Thread.currentThread().getContextClassLoader());
    }

    /** As the public constructor, with the context class loader its threads start with. */
    BlockingThreadPool(PoolSettings settings, ThreadFactory platformThreads, Runnable onThreadStart,
                       Runnable onThreadStop, TimeDriver time, ClassLoader builderLoader) {
        this.settings = settings;
        this.builderLoader = builderLoader;
        this.onThreadStart = onThreadStart;
        this.onThreadStop = onThreadStop;
        this.time = time;
        if (settings.virtualThreads()) {
            this.threadFactory = VirtualThreads.factory(settings.threadNamePrefix() + "-");
        } else if (platformThreads != null) {
            this.threadFactory = platformThreads;
        } else {
            this.threadFactory = this::newDaemonThread;
        }
    }

    /**
     * A pool thread is started on whichever thread spawned work when the pool was short of one: a
     * task's, with that task's loader and thread-locals. It inherits neither (a plain
     * {@code new Thread} copies both, and the pool thread would carry one caller's tenant into
     * every later caller's work): no inheritable thread-locals, and the context class loader of
     * the thread that built the pool.
     */
    private Thread newDaemonThread(Runnable body) {
        Thread thread = new Thread(null, body, nextThreadName(), 0, false);
        thread.setDaemon(true);
        thread.setContextClassLoader(builderLoader);
        return thread;
    }

    private String nextThreadName() {
        return settings.threadNamePrefix() + "-" + threadNumbers.getAndIncrement();
    }

    /** The pool's settings. */
    public PoolSettings settings() {
        return settings;
    }

    // ---- spawning ----------------------------------------------------------------------------

    /**
     * Runs {@code work} on one of the pool's threads; never rejects for lack of room (see the
     * class comment) and never blocks the caller.
     *
     * @throws IllegalStateException if the pool was shut down
     */
    public <T> JoinHandle<T> spawn(Callable<T> work, String name) {
        BlockingTask<T> task = tasks.create(work, name);
        submit(task, true);
        return task;
    }

    /**
     * Runs {@code work} if a thread is free, a thread can be started, or the queue has room.
     *
     * @throws RejectedExecutionException if the pool is at its thread cap and its queue is full
     * @throws IllegalStateException if the pool was shut down
     */
    public <T> JoinHandle<T> trySpawn(Callable<T> work, String name) {
        BlockingTask<T> task = tasks.create(work, name);
        submit(task, false);
        return task;
    }

    private void submit(BlockingTask<?> task, boolean waitForRoom) {
        Wake wake;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("blocking pool \"" + settings.name()
                        + "\" is shut down: it accepts no new work");
            }
            if (!waitForRoom && queue.size() >= freeThreads() + settings.queueCapacity()) {
                rejections++;
                throw new RejectedExecutionException("blocking pool \"" + settings.name() + "\" is full: all "
                        + settings.maxThreads() + " threads (maxThreads) are busy and " + queued()
                        + " tasks are queued (queueCapacity = " + settings.queueCapacity() + ")");
            }
            time.inhibitAutoAdvance();                   // before any thread can take it, run it, finish it
            queue.addLast(task);
            wake = searching == 0 ? wakeSearcher() : null;
        } finally {
            lock.unlock();
        }
        if (wake != null) {
            wake.act();
        }
    }

    /** Under the lock: threads that could take a task without the queue growing (idle, searching, not yet started). */
    private int freeThreads() {
        return idle.size() + searching + (settings.maxThreads() - threads);
    }

    /** Under the lock: queued tasks the free threads will not take at once, up to the capacity. */
    private int queued() {
        return Math.min(Math.max(0, queue.size() - freeThreads()), settings.queueCapacity());
    }

    /**
     * Under the lock: makes one more thread searching, the most recently idle one or a new one
     * under the cap; returns what to do once the lock is released, or null if the cap is reached.
     */
    private Wake wakeSearcher() {
        if (!idle.isEmpty()) {
            PoolThread thread = idle.pop();
            thread.woken = true;
            searching++;
            return thread;
        }
        if (threads < settings.maxThreads()) {
            threads++;
            searching++;
            return new PoolThread();
        }
        return null;
    }

    /** Unparks a woken thread or starts a new one, outside the lock. */
    private interface Wake {
        void act();
    }

    /** Whether the calling thread is one of this pool's, running its work now. */
    public boolean isServingCurrentThread() {
        return SERVING.get() == this;
    }

    /**
     * Makes the calling platform thread one of this pool's, under its name scheme: a worker thread
     * that {@code blockInPlace} turned into a blocking thread comes back here rather than
     * exiting. It then serves the pool like any of its threads (bound to the runtime, idle up to
     * the keep-alive) and this returns true when it is done. If the pool is at its cap or shut
     * down it returns false at once, and the thread should end.
     */
    public boolean adoptCurrentThread() {
        if (settings.virtualThreads()) {
            throw new IllegalStateException("a virtual-thread pool adopts no platform thread");
        }
        lock.lock();
        try {
            if (closed || threads >= settings.maxThreads()) {
                return false;
            }
            threads++;
            searching++;
        } finally {
            lock.unlock();
        }
        PoolThread adopted = new PoolThread();
        adopted.thread = Thread.currentThread();
        adopted.thread.setName(nextThreadName());
        adopted.run();
        return true;
    }

    // ---- the threads -------------------------------------------------------------------------

    /** One thread of the pool; a {@link Wake} that unparks it, or starts it the first time. */
    private final class PoolThread implements Runnable, Wake {
        /** Set under the lock by the spawn or searcher that pops this thread off the idle stack. */
        volatile boolean woken;
        private Thread thread;

        @Override
        public void act() {
            if (thread != null) {
                LockSupport.unpark(thread);
                return;
            }
            try {
                thread = threadFactory.newThread(this);
                thread.start();
            } catch (RuntimeException | Error failure) {    // typically "unable to create native thread"
                threadNotStarted(failure);
            }
        }

        @Override
        public void run() {
            SERVING.set(BlockingThreadPool.this);
            ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
            try {
                onThreadStart.run();
                serve(this, contextLoader);
            } finally {
                try {
                    onThreadStop.run();
                } finally {
                    SERVING.remove();
                }
            }
        }
    }

    /**
     * A thread's life. It enters counted as searching (whoever started it counted it), takes the
     * queue's head, and runs it with the lock released; then it searches again. With the queue
     * empty it goes idle until a spawn wakes it or its keep-alive ends (a virtual thread exits).
     */
    private void serve(PoolThread self, ClassLoader contextLoader) {
        lock.lock();
        try {
            for (;;) {
                BlockingTask<?> task = queue.pollFirst();
                searching--;
                if (task == null) {
                    if (closed || settings.virtualThreads()) {
                        threadExits();
                        return;
                    }
                    if (!awaitWake(self)) {
                        return;                          // keep-alive ended; already counted out
                    }
                    continue;                            // woken, and counted as searching again
                }
                Wake next = searching == 0 && !queue.isEmpty() ? wakeSearcher() : null; // ramp up
                lock.unlock();
                try {
                    if (next != null) {
                        next.act();
                    }
                    runOne(task, contextLoader);
                } finally {
                    lock.lock();
                    searching++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: idles until a spawn or a searcher wakes this thread (returns true, holding
     * the lock, counted as searching by the waker) or the keep-alive ends or the pool shuts down
     * (returns false, holding the lock, the thread counted out).
     */
    private boolean awaitWake(PoolThread self) {
        self.woken = false;
        idle.push(self);
        long deadline = System.nanoTime() + settings.keepAliveNanos();
        for (;;) {
            lock.unlock();
            try {
                Thread.interrupted();                    // a stray interrupt must not turn this into a spin
                long left = deadline - System.nanoTime();
                if (left > 0 && !self.woken) {
                    LockSupport.parkNanos(this, left);
                }
            } finally {
                lock.lock();
            }
            if (self.woken) {
                return true;
            }
            if (closed || System.nanoTime() - deadline >= 0) {
                idle.remove(self);                       // O(idle threads), once per thread exit
                threadExits();
                return false;
            }
        }
    }

    private void runOne(BlockingTask<?> task, ClassLoader contextLoader) {
        try {
            task.runHere();
        } catch (Throwable bug) {
            // runHere hands everything the work throws to the handle; reaching here is a runtime bug.
            log.error("blocking pool \"{}\" caught an internal error; the thread goes on", settings.name(), bug);
        } finally {
            Thread self = Thread.currentThread();
            Thread.interrupted();                        // an interrupt meant for that task stays with it
            if (self.getContextClassLoader() != contextLoader) {
                self.setContextClassLoader(contextLoader);
            }
            time.allowAutoAdvance();
        }
    }

    /** Under the lock: one thread fewer. */
    private void threadExits() {
        threads--;
        threadExited.signalAll();
    }

    /**
     * A thread counted as searching could not be started. An idle thread takes its place if there
     * is one; if the pool has no thread at all, nothing would ever run the queued tasks, so they
     * complete as cancelled with the reason.
     */
    private void threadNotStarted(Throwable failure) {
        Wake instead = null;
        List<BlockingTask<?>> orphans = List.of();
        int others;
        lock.lock();
        try {
            threads--;
            searching--;
            others = threads;
            threadExited.signalAll();
            if (!idle.isEmpty() && searching == 0 && !queue.isEmpty()) {
                instead = wakeSearcher();
            } else if (threads == 0) {
                orphans = new ArrayList<>(queue);
                queue.clear();
            }
        } finally {
            lock.unlock();
        }
        log.warn("blocking pool \"{}\" could not start a thread ({} others alive)", settings.name(), others, failure);
        if (instead != null) {
            instead.act();
        }
        for (BlockingTask<?> task : orphans) {
            task.cancelBeforeStart("cancelled: blocking pool \"" + settings.name() + "\" could not start a thread ("
                    + failure + ")");
            time.allowAutoAdvance();
        }
    }

    // ---- BlockingTask.Owner ------------------------------------------------------------------

    @Override
    public void taskCompleted() {
        completed.increment();
    }

    @Override
    public void abortRequested(BlockingTask<?> task) {
        boolean removed;
        lock.lock();
        try {
            removed = queue.remove(task);                // O(queue); aborts of queued work are rare
        } finally {
            lock.unlock();
        }
        if (removed) {
            task.cancelBeforeStart("aborted");
            time.allowAutoAdvance();
        }
    }

    // ---- shutdown ----------------------------------------------------------------------------

    /**
     * Shuts the pool down: no new work ({@link #spawn} and {@link #trySpawn} throw
     * {@link IllegalStateException}), every queued task completes as cancelled now, idle threads
     * exit, and running work is given until {@code deadlineNanos} ({@link System#nanoTime()}
     * based) to finish. Running work is never interrupted; what is still running at the deadline
     * is left to finish on its daemon thread, and its handle completes when it does. Called from
     * one of the pool's own threads, it does not wait for that thread. Idempotent.
     *
     * @return how many threads were still running work at the deadline (0: the pool is stopped)
     */
    public int shutdown(long deadlineNanos) {
        List<BlockingTask<?>> dropped;
        List<PoolThread> idlers;
        lock.lock();
        try {
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            idlers = new ArrayList<>(idle);
            idle.clear();
        } finally {
            lock.unlock();
        }
        for (PoolThread idler : idlers) {
            LockSupport.unpark(idler.thread);
        }
        for (BlockingTask<?> task : dropped) {
            task.cancelBeforeStart(SHUTDOWN_CANCELLATION);
            time.allowAutoAdvance();
        }
        int self = SERVING.get() == this ? 1 : 0;
        lock.lock();
        try {
            while (threads > self) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                threadExited.awaitNanos(left);
            }
            int running = threads - self;
            if (running > 0) {
                log.warn("blocking pool \"{}\": {} task(s) still running at the shutdown deadline; they are left to finish",
                        settings.name(), running);
            }
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return threads - self;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #shutdown} was called. */
    public boolean isShutdown() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    // ---- metrics -----------------------------------------------------------------------------

    /** A consistent snapshot of the pool's counters. */
    public PoolSnapshot snapshot() {
        lock.lock();
        try {
            int queued = queued();
            int waiting = Math.max(0, queue.size() - freeThreads() - settings.queueCapacity());
            return new PoolSnapshot(settings.name(), threads, idle.size(), queued, waiting, rejections, completed.sum());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "BlockingThreadPool[" + settings.name() + "]";
    }
}

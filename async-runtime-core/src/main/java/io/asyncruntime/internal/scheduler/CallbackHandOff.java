package io.asyncruntime.internal.scheduler;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user code that {@link CompletionCascade} may not run where it was reached: a
 * {@code CompletionStage} callback nested deeper than {@link CompletionCascade#MAX_USER_FRAMES}
 * inside completion deliveries. It gets a thread of its own, with a fresh stack and no delivery
 * around it, so it may block on what it causes.
 *
 * <p>Why a thread of this JVM-wide pool, and not the runtime's? The code may block (that is the
 * point), so not a worker; it may run after its runtime closed (a callback on a handle completed
 * by shutdown), so nothing that a runtime shuts down; it must never be refused, or a callback is
 * lost (Netty's {@code DefaultPromise}, which hands deep listener notifications to the promise's
 * event loop, logs and drops them when that loop rejects). {@code CompletableFuture} falls back
 * the same way for its async methods when the common pool has fewer than two threads: a new
 * thread per task. Here idle threads are kept for {@link #KEEP_ALIVE_SECONDS} so that a long chain
 * of callbacks, which hands off once every {@code MAX_USER_FRAMES} links, reuses them.
 *
 * <p><b>One thread per delivery.</b> A delivery that goes too deep gets one {@link Lane}: its deep
 * callbacks run on one hand-off thread, in the order they were reached, as its callbacks up to
 * {@code MAX_USER_FRAMES} deep run on the delivering thread. So a flood of deep callbacks (one
 * handle completing, its last callback aborting hundreds of others) costs one thread, not one
 * each (issue 15 review, DeepCallbackFloodThreadsTest). The lane's thread starts with the first
 * deep callback, so that callback may block on what it causes while the delivery goes on
 * (DeepCallbackChainDeliveryDeadlockTest).
 *
 * <p><b>Runtime binding.</b> Each callback runs bound as the thread that reached it
 * ({@link DeliveryBinding}): where a task completed on a worker, {@code AsyncRuntime.current()}
 * works in its callbacks however deep (DeepCallbackLosesRuntimeTest).
 *
 * <p><b>No caller context.</b> On JDK 17 a new thread captures the {@code AccessControlContext} of
 * every frame on the stack that creates it, and so pins the class loaders of user code that
 * happened to be delivering. Threads are therefore started from inside
 * {@code AccessController.doPrivileged}, which cuts the captured context at this class
 * (HandOffThreadPinsClassLoaderTest). The API is deprecated for removal but present on JDK 25,
 * where it simply runs the action.
 *
 * <p>The threads are daemons, inherit no thread-locals from whichever thread first needed one
 * (it may be a user's thread in the middle of a task), and carry this library's class loader as
 * context class loader, never the loader of the code that happened to trigger their creation.
 */
final class CallbackHandOff {

    private static final Logger log = LoggerFactory.getLogger(CallbackHandOff.class);

    /** How long an idle hand-off thread waits for the next lane before it ends. */
    static final long KEEP_ALIVE_SECONDS = 10;

    private static final AtomicInteger THREADS = new AtomicInteger();

    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), CallbackHandOff::newThread);

    private CallbackHandOff() {
    }

    private static Thread newThread(Runnable work) {
        Thread thread = new Thread(null, work, "async-runtime-stage-callback-" + THREADS.incrementAndGet(), 0, false);
        thread.setDaemon(true);
        thread.setContextClassLoader(CallbackHandOff.class.getClassLoader());
        return thread;
    }

    /**
     * The deep callbacks of one delivery, run in order on one hand-off thread at a time. A serial
     * executor: {@code pending} counts callbacks submitted and not yet run; whoever raises it from
     * zero starts the drain, and the drain ends when it brings it back to zero, so exactly one
     * thread drains at a time and no callback is left queued.
     */
    static final class Lane implements Runnable {
        private final ConcurrentLinkedQueue<Runnable> callbacks = new ConcurrentLinkedQueue<>();
        private final AtomicInteger pending = new AtomicInteger();

        /**
         * Runs {@code userCode} on this lane's thread after the callbacks submitted before it,
         * bound as the calling thread is, exactly once.
         */
        void submit(Runnable userCode) {
            callbacks.add(DeliveryBinding.bindToCaller(userCode));
            if (pending.getAndIncrement() == 0) {
                start(this);
            }
        }

        @Override
        public void run() {
            do {
                Runnable next = callbacks.poll(); // non-null: added before pending was raised
                try {
                    next.run();
                } catch (Throwable escaped) {
                    // completeFuture contains what callbacks throw; reaching here is a bug.
                    log.error("a deeply nested stage callback threw; the lane goes on", escaped);
                }
            } while (pending.decrementAndGet() != 0);
        }
    }

    /**
     * Starts {@code lane}'s drain on a hand-off thread. Should no thread be had (the JVM cannot
     * start one), it drains here instead, as before this hand-off existed: late, or even stuck
     * behind its delivery, but never lost.
     */
    @SuppressWarnings("removal") // AccessController: present on every JDK this runs on; see the class comment
    private static void start(Lane lane) {
        try {
            AccessController.doPrivileged((PrivilegedAction<Void>) () -> {
                POOL.execute(lane);
                return null;
            });
        } catch (RejectedExecutionException | OutOfMemoryError noThread) {
            // Neither happened after the pool took the lane: it has not run and will not.
            log.error("could not hand deeply nested stage callbacks to a thread of their own; running them inline", noThread);
            lane.run();
        }
    }
}

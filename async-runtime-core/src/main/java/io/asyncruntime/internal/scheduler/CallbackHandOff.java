package io.asyncruntime.internal.scheduler;

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
 * of callbacks, which hands off once every {@code MAX_USER_FRAMES} links, reuses them; nothing
 * bounds their number, as nothing bounds the threads a blocking callback may wait on.
 *
 * <p>The threads are daemons, inherit no thread-locals from whichever thread first needed one
 * (it may be a user's thread in the middle of a task), and carry this library's class loader as
 * context class loader, never the loader of the code that happened to trigger their creation.
 */
final class CallbackHandOff {

    private static final Logger log = LoggerFactory.getLogger(CallbackHandOff.class);

    /** How long an idle hand-off thread waits for the next callback before it ends. */
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
     * Runs {@code userCode} on a hand-off thread, exactly once. Should no thread be had (the JVM
     * cannot start one), it runs here instead, as before this hand-off existed: late, or even
     * stuck behind its delivery, but never lost.
     */
    static void run(Runnable userCode) {
        try {
            POOL.execute(userCode);
        } catch (RejectedExecutionException | OutOfMemoryError noThread) {
            // Neither happened after the pool took the task: it has not run and will not.
            log.error("could not hand a deeply nested stage callback to a thread of its own; running it inline", noThread);
            userCode.run();
        }
    }
}

package io.asyncruntime.benchmarks.blocking;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The blocking-pool workload, the same for every implementation: {@code calls} submissions of a
 * trivial callable, awaited in batches of {@code batch} (submit a batch, then {@code get()} each
 * of its futures in order), all from the benchmark thread, as plain Java code that hands blocking
 * calls to a pool would.
 */
final class BlockingWork {

    /** The thread cap of every bounded pool here: the runtime's default {@code maxBlockingThreads}, as Tokio's. */
    static final int MAX_THREADS = 512;
    /** The runtime's default blocking queue bound; the TPE's queue gets the same. */
    static final int QUEUE_CAPACITY = 10_000;
    /** The runtime's default keep-alive; the TPE's threads get the same. */
    static final long KEEP_ALIVE_SECONDS = 10;

    /** The trivial work: enough to have a result, nothing that blocks. */
    static final Callable<Integer> TRIVIAL = () -> 1;

    private BlockingWork() {
    }

    /**
     * Runs the workload through {@code submit} and returns the sum of the results (each is 1), so
     * the caller can check that every call ran.
     */
    static int run(int calls, int batch, Function<Callable<Integer>, Future<Integer>> submit)
            throws InterruptedException, ExecutionException {
        @SuppressWarnings("unchecked")
        Future<Integer>[] futures = new Future[batch];
        int sum = 0;
        for (int done = 0; done < calls; done += batch) {
            int n = Math.min(batch, calls - done);
            for (int i = 0; i < n; i++) {
                futures[i] = submit.apply(TRIVIAL);
            }
            for (int i = 0; i < n; i++) {
                sum += futures[i].get();
                futures[i] = null;
            }
        }
        return sum;
    }

    /**
     * The {@code ThreadPoolExecutor} an expert would set up for bounded blocking work with the
     * runtime's limits: a fixed cap of {@link #MAX_THREADS} core threads that may time out after the
     * same keep-alive, and a bounded {@code LinkedBlockingQueue} (two locks: offers and takes do not
     * contend). A cached pool ({@code SynchronousQueue}, max {@value #MAX_THREADS}) would reject a
     * batch larger than the cap, which is not the same work.
     */
    static ThreadPoolExecutor threadPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE_CAPACITY), runnable -> {
                    Thread thread = new Thread(runnable, "tpe-blocking");
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * {@code Executors.newVirtualThreadPerTaskExecutor()} (JDK 21+, reached through a method handle:
     * the module compiles with {@code --release 17}): a new virtual thread per task, unbounded.
     */
    static ExecutorService virtualThreadPerTask() {
        try {
            MethodHandle factory = MethodHandles.publicLookup().findStatic(java.util.concurrent.Executors.class,
                    "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
            return (ExecutorService) factory.invokeExact();
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException("virtual threads need JDK 21+, this is " + Runtime.version(), e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(executor + " did not stop");
        }
    }

    static void check(int sum, int calls) {
        if (sum != calls) {
            throw new IllegalStateException("expected " + calls + " results, got " + sum);
        }
    }
}

package io.asyncruntime.benchmarks.peers;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@code ThreadPoolExecutor}: fixed threads, one shared unbounded {@code LinkedBlockingQueue}, no stealing. */
final class ThreadPoolWorkloads extends ExecutorWorkloads {

    private final ThreadPoolExecutor pool;

    ThreadPoolWorkloads(int threads) {
        super("ThreadPoolExecutor");
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
    }

    @Override
    protected Executor nextHome() {
        return pool;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        Shutdown.await(pool::awaitTermination, "ThreadPoolExecutor");
    }
}

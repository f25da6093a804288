package io.asyncruntime.benchmarks.peers;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@code ThreadPoolExecutor}: fixed threads, one shared unbounded {@code LinkedBlockingQueue}, no stealing. */
final class ThreadPoolWorkloads extends ExecutorWorkloads {

    private final ThreadPoolExecutor pool;
    private final Home home;

    ThreadPoolWorkloads(int threads) {
        super("ThreadPoolExecutor");
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
        home = new Home(pool);
    }

    @Override
    protected Home nextHome() {
        return home;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        Shutdown.await(pool::awaitTermination, "ThreadPoolExecutor");
    }
}

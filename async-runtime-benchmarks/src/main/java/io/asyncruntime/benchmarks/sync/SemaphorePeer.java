package io.asyncruntime.benchmarks.sync;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.sync.Semaphore;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One implementation of the semaphore workload: {@code workers} tasks (threads) share a semaphore
 * of {@code permits}, each acquiring and releasing one permit {@code each} times, optionally
 * holding it across one yield. Returns the acquires made.
 */
abstract class SemaphorePeer implements AutoCloseable {

    abstract long run(int workers, int permits, int each, boolean holdAcrossYield) throws Exception;

    static SemaphorePeer start(String id) {
        switch (id) {
            case "asyncruntime":
                return new Ours();
            case "jdk":
                return new Jdk();
            default:
                throw new IllegalArgumentException("unknown semaphore peer " + id + "; expected asyncruntime or jdk");
        }
    }

    /** This runtime's {@link Semaphore}; the tasks are leaf tasks on a 2-worker runtime. */
    static final class Ours extends SemaphorePeer {
        private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

        @Override
        long run(int workers, int permits, int each, boolean holdAcrossYield) throws Exception {
            Semaphore semaphore = new Semaphore(permits);
            List<JoinHandle<Long>> tasks = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                tasks.add(runtime.spawn(new Acquirer(semaphore, each, holdAcrossYield)));
            }
            long total = 0;
            for (JoinHandle<Long> task : tasks) {
                total += task.get(60, TimeUnit.SECONDS);
            }
            return total;
        }

        @Override
        public void close() {
            runtime.close();
        }
    }

    /** Acquires, optionally yields once while holding, releases; {@code count} times. */
    static final class Acquirer implements Task<Long> {
        private final Semaphore semaphore;
        private final boolean holdAcrossYield;
        private long left;
        private long acquired;
        private Task<Semaphore.Permit> acquire;
        private Semaphore.Permit held;

        Acquirer(Semaphore semaphore, long count, boolean holdAcrossYield) {
            this.semaphore = semaphore;
            this.left = count;
            this.holdAcrossYield = holdAcrossYield;
        }

        @Override
        public Poll<Long> poll(Context cx) throws Exception {
            for (;;) {
                if (held != null) {
                    held.close(); // after the yield
                    held = null;
                    left--;
                }
                if (left == 0) {
                    return Poll.ready(acquired);
                }
                if (acquire == null) {
                    acquire = semaphore.acquire();
                }
                Poll<Semaphore.Permit> polled = acquire.poll(cx);
                if (polled.isPending()) {
                    return Poll.pending();
                }
                acquire = null;
                acquired++;
                held = polled.value();
                if (holdAcrossYield) {
                    cx.requestYield();
                    return Poll.pending();
                }
            }
        }
    }

    /** {@code java.util.concurrent.Semaphore} (non-fair) between platform threads. */
    static final class Jdk extends SemaphorePeer {
        private static final int MAX_WORKERS = 6;
        private final ExecutorService threads = Executors.newFixedThreadPool(MAX_WORKERS);

        @Override
        long run(int workers, int permits, int each, boolean holdAcrossYield) throws Exception {
            java.util.concurrent.Semaphore semaphore = new java.util.concurrent.Semaphore(permits);
            List<Future<Long>> started = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                started.add(threads.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        semaphore.acquire();
                        if (holdAcrossYield) {
                            Thread.yield();
                        }
                        semaphore.release();
                    }
                    return (long) each;
                }));
            }
            long total = 0;
            for (Future<Long> worker : started) {
                total += worker.get(60, TimeUnit.SECONDS);
            }
            return total;
        }

        @Override
        public void close() throws InterruptedException {
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}

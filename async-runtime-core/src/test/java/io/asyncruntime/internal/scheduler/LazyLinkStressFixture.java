package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The set-up the lazy-linking exactly-once stress tests share (lazy10's "Linked exactly once",
 * review31's spawns from outside): rounds, each on a fresh two-worker scheduler, and tasks whose
 * first poll is woken during that poll (by itself, or raced by a waker thread) and returns pending,
 * so that the first pending return (the link) races the wake and the poll on another worker it
 * leads to. Each test still spawns its own mix of tasks and states its own counts.
 */
final class LazyLinkStressFixture {

    private LazyLinkStressFixture() {
    }

    /** One round of a stress test, on a scheduler started for it. */
    @FunctionalInterface
    interface Round {
        void run(Scheduler scheduler, int round) throws Exception;
    }

    /**
     * Runs rounds {@code 0} to {@code rounds - 1}, each on a freshly started two-worker scheduler
     * (a worker's spawn goes to its LIFO slot in the even rounds only), shut down after the round,
     * also when it fails.
     */
    static void roundsOnFreshSchedulers(int rounds, String threadPrefix, Round round) throws Exception {
        for (int r = 0; r < rounds; r++) {
            Scheduler scheduler = RegistryTestFixture.startScheduler(2, threadPrefix, r % 2 == 0);
            try {
                round.run(scheduler, r);
            } finally {
                RegistryTestFixture.shutdown(scheduler);
            }
        }
    }

    /**
     * A thread that wakes, as soon as it can (spinning), every waker a task's first poll hands it,
     * and the tasks that hand it theirs; counts the tasks' second polls. Closing it stops and joins
     * the thread.
     */
    static final class FirstPollWaker implements AutoCloseable {
        private final ConcurrentLinkedQueue<Waker> toWake = new ConcurrentLinkedQueue<>();
        private final AtomicInteger secondPolls = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        private FirstPollWaker(String threadName) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    Waker w = toWake.poll();
                    if (w != null) {
                        w.wake();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }, threadName);
        }

        static FirstPollWaker start(String threadName) {
            FirstPollWaker waker = new FirstPollWaker(threadName);
            waker.thread.start();
            return waker;
        }

        /**
         * First poll: woken (by itself if {@code selfWake}, else raced by this waker thread),
         * pending; second poll: counted, pending for good (as every later one).
         */
        Task<Void> wokenInItsFirstPoll(boolean selfWake) {
            int[] polls = {0};
            return cx -> {
                if (polls[0]++ == 0) {
                    if (selfWake) {
                        cx.waker().wake();
                    } else {
                        toWake.add(cx.waker());
                    }
                } else if (polls[0] == 2) {
                    secondPolls.incrementAndGet();
                }
                return Poll.pending();
            };
        }

        /** Tasks of {@link #wokenInItsFirstPoll} polled a second time so far. */
        int secondPolls() {
            return secondPolls.get();
        }

        /** Stops the thread and joins it (it stops at its next look at the flag). */
        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the thread stops by itself; the caller sees the flag
            }
        }
    }
}

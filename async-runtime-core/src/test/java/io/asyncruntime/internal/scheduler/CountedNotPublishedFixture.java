package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The set-up the tests of the shutdown's wait for counted completions share
 * ({@link SchedulerShutdown#awaitCompletionsPublished}: review26 F2, review29, review32): a cell
 * made by hand in a shard, its completion counted by hand and never published (the window between
 * {@link CellScheduler#unregister} and the COMPLETE CAS, held open), a poll of it simulated on the
 * worker's thread, and a thread that runs the wait. Each test still states which cell it counts in
 * and how, and what it asserts; this holds only what they wrote alike.
 */
final class CountedNotPublishedFixture {

    private CountedNotPublishedFixture() {
    }

    /** A cell of {@code shard} whose callable returns its name; not counted in yet (register or admit it). */
    static TaskCell<String> cell(TaskShard shard, String name) {
        return TaskCell.create(shard, (Callable<String>) () -> name, TaskCell.CALLABLE, Priority.NORMAL, name);
    }

    /**
     * On the one worker of {@code runtime}, inside a holder task's poll: a poll of {@code cell} that
     * returns ready, ended as {@code TaskCell.run} ends it (the poll context enters the cell, then
     * leaves it), then the completion's count ({@code shard.unregister}, the first thing the
     * completing thread does) and no COMPLETE, with no other poll entered in between, as in the run
     * loop. The holder returned pending once before (a wake), so its shard shows it meanwhile and
     * the context shows only the simulated cell. The holder's poll then holds the worker until
     * {@code release} opens (bounded), so nothing else is polled there, and re-enters itself before
     * it returns. Returns once the completion is counted.
     */
    static void leaveAndCountOnTheWorker(AsyncRuntime runtime, TaskShard shard, TaskCell<?> cell,
            CountDownLatch release) throws InterruptedException {
        CountDownLatch counted = new CountDownLatch(1);
        AtomicBoolean holderLinked = new AtomicBoolean();
        runtime.spawn(cx -> {
            if (!holderLinked.getAndSet(true)) {
                cx.waker().wake(); // a first pending return links the holder
                return Poll.pending();
            }
            PollContext poll = (PollContext) cx;
            TaskCell<?> holder = poll.polled();
            poll.enter(cell);
            poll.leave();
            shard.unregister(cell);
            counted.countDown();
            release.await(30, TimeUnit.SECONDS); // bounded
            poll.enter(holder); // back to the holder's poll
            return Poll.ready(null);
        }, Priority.NORMAL, "holder");
        assertThat(counted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A thread that runs the shutdown's wait for counted completions to be published, with a 5-second deadline. */
    static final class PublicationWait {
        private final Scheduler scheduler;
        private final AtomicBoolean returned = new AtomicBoolean();
        private final Thread thread;

        private PublicationWait(Scheduler scheduler, String threadName) {
            this.scheduler = scheduler;
            this.thread = new Thread(() -> {
                scheduler.awaitCompletionsPublished(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                returned.set(true);
            }, threadName);
        }

        static PublicationWait start(Scheduler scheduler, String threadName) {
            PublicationWait wait = new PublicationWait(scheduler, threadName);
            wait.thread.start();
            return wait;
        }

        /**
         * Looks every millisecond, for up to 30 s, until the wait has returned or parks with the
         * registry as its blocker (it parks there only to wait for a publication); true if it
         * returned.
         */
        boolean returnedRatherThanParked() {
            TaskRegistry registry = scheduler.registry();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> returned.get() || LockSupport.getBlocker(thread) == registry);
            return returned.get();
        }

        /** Joins the thread, for up to 30 s (the wait itself ends by its deadline). */
        void join() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}

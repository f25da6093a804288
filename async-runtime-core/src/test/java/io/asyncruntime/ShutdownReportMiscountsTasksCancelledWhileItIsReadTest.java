package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review16, finding on ff2f2f7 (issue 10): the shutdown report splits completed/aborted from two
 * reads that are not one snapshot. A cell completing with a cancellation does
 * {@code unregister} (the shard's {@code removed++}, under the shard lock) and only then
 * {@code taskCancelled} (the registry's {@code LongAdder}); the report reads
 * {@code registry.counts()} and then {@code registry.cancellations()}. A task that completes
 * cancelled between the two reads is counted twice as aborted (once as still live in
 * {@code atEnd}, once in {@code cancelledByAbort}) and {@code completed} drops by one: with every
 * task aborted, {@code completed} goes negative and {@code aborted} exceeds the tasks there were.
 * (The opposite order splits the other way: removed before the shard was read, counted
 * cancelled after the adder was read, is a "completed" task whose handle throws
 * {@code TaskCancelledException}.)
 *
 * <p>When tasks complete during the report: the documented case of a {@code cancel()} that
 * blocks. The abort walk stops there, the shutdown gives up on it after its progress window and
 * goes on; "they are aborted when it returns". Here it returns while the shutdown is in its last
 * wait ({@code liveWhileFalling}, capped at the worker stop allowance), so the walk aborts the
 * remaining idle tasks while the report is computed.
 *
 * <p>Every task here is idle forever and ends cancelled, so the report must say completed 0,
 * aborted = all of them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShutdownReportMiscountsTasksCancelledWhileItIsReadTest {

    private static final int TASKS = 300_000;
    private static final int ROUNDS = 10;

    @Test
    void everyTaskCancelledByTheAbortCountsAsAbortedExactlyOnce() throws Exception {
        List<String> miscounted = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
            AtomicInteger polled = new AtomicInteger();
            AtomicBoolean firstCancel = new AtomicBoolean();
            CountDownLatch cancelBlocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < TASKS; i++) {
                runtime.spawn(new IdleTaskWithBlockingCancel(polled, firstCancel, cancelBlocked, release));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> polled.get() == TASKS);

            AtomicReference<ShutdownReport> report = new AtomicReference<>();
            Thread shutdown = new Thread(() -> report.set(runtime.shutdownGracefully(Duration.ZERO)), "review16-shutdown");
            shutdown.start();
            assertThat(cancelBlocked.await(60, TimeUnit.SECONDS)).as("the abort walk reached a cancel()").isTrue();
            // The shutdown gave up on the blocked cancel() and is in its last wait: let the walk go on.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> inMethod(shutdown, "liveWhileFalling") || !shutdown.isAlive());
            release.countDown();
            shutdown.join(TimeUnit.SECONDS.toMillis(60));
            ShutdownReport r = report.get();
            assertThat(r).isNotNull();
            long total = r.liveAtStart() + r.spawnedDuringShutdown();
            assertThat(total).isEqualTo(TASKS);
            assertThat(r.completed() + r.aborted()).as("round %d: %s", round, r).isEqualTo(total);
            if (r.completed() != 0 || r.aborted() != TASKS) {
                miscounted.add("round " + round + ": " + r.completed() + " completed + " + r.aborted() + " aborted");
            }
        }
        System.out.println("review16 shutdown split: " + miscounted.size() + " of " + ROUNDS + " rounds miscounted " + miscounted);
        assertThat(miscounted).as("every task ended cancelled: completed 0, aborted %d", TASKS).isEmpty();
    }

    private static boolean inMethod(Thread thread, String method) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }
}

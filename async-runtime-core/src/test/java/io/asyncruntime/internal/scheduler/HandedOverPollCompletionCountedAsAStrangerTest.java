package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review34 guard (int17, reg16 34cfcc2): a poller's completion is counted in the counters its
 * {@link PollContext#completerIndex()} names, no longer by looking the thread up. A worker's pair
 * ({@code TaskShard.countOwnCompletion}) is a plain read plus a release store: one writer, the
 * thread running that worker. A poll that called {@code blockInPlace} finishes on the thread that
 * gave its worker away, while the replacement thread runs the worker and counts in that pair: the
 * handed-over context must name no worker (-1, the shared atomic pair), or two threads write the
 * worker's pair and a completion can be lost (the registry then never empties: a shutdown's drain
 * waits for its deadline and its report is off by one). Fails with {@code completerIndex()}
 * returning {@code worker.index} regardless of {@code handedOver}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandedOverPollCompletionCountedAsAStrangerTest {

    private Scheduler scheduler;
    private final CountDownLatch proceed = new CountDownLatch(1);

    @AfterEach
    void shutdown() {
        proceed.countDown();
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void aHandedOverPollsCompletionIsNotCountedInItsFormerWorkersPair() throws Exception {
        scheduler = RegistryTestFixture.startScheduler(1, "handed-over-count-", true);
        TaskShard workersPair = scheduler.registry().shardFor(scheduler.workers()[0]);

        CountDownLatch handedOver = new CountDownLatch(1);
        JoinHandle<String> handle = scheduler.spawn((Callable<String>) () -> {
            BlockInPlace.handOverCurrentWorker();
            handedOver.countDown();
            proceed.await();
            return "done";
        }, Priority.NORMAL, "block-in-place");
        assertThat(handedOver.await(10, TimeUnit.SECONDS)).isTrue();

        long workersBefore = workersPair.completedNotCancelled() + workersPair.completedCancelled();
        long allBefore = scheduler.registry().counts()[1];

        proceed.countDown();
        assertThat(handle.get(10, TimeUnit.SECONDS)).isEqualTo("done");

        // Counted before the handle is done (CellScheduler.unregister), so visible now.
        assertThat(scheduler.registry().counts()[1]).as("completions counted").isEqualTo(allBefore + 1);
        assertThat(workersPair.completedNotCancelled() + workersPair.completedCancelled())
                .as("completions in worker 0's own pair, whose writer is the replacement thread now")
                .isEqualTo(workersBefore);
        assertThat(scheduler.registry().isEmpty()).isTrue();
    }
}

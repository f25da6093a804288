package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker the stall detector marked sends its own wakes to its ring, not its LIFO slot (see
 * {@link WorkerHandOver}, "Long polls"). It recognised itself by comparing the mark with its int
 * tick widened signed, while the stamp (and so the mark) is the tick widened unsigned: once the
 * tick had wrapped past {@code Integer.MAX_VALUE}, a stalled worker no longer knew it was stalled.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StalledWorkerWrappedTickTest {

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aStalledWorkerWhoseTickWrappedStillSendsItsWakesToItsRing() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).stallThreshold(Duration.ofMillis(50)).build();
        assertThat(ringDepthOfTwoSpawnsInAStalledPoll(1)).as("control: ordinary tick").isEqualTo(2);

        // On the worker's own thread (the only writer of tick): the next polls get negative ticks,
        // as every poll of a worker past its 2,147,483,647th does.
        runtime.spawn(() -> {
            Worker worker = ((WorkerThread) Thread.currentThread()).worker;
            Field tick = Worker.class.getDeclaredField("tick");
            tick.setAccessible(true);
            tick.setInt(worker, Integer.MIN_VALUE + 10);
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(ringDepthOfTwoSpawnsInAStalledPoll(2)).as("tick past Integer.MAX_VALUE").isEqualTo(2);
    }

    /**
     * A task stalls its (only) worker until the detector marks it, spawns two tasks, and waits:
     * how many of them are in the worker's ring (a healthy worker keeps the last in its LIFO slot).
     * The stall is the runtime's {@code stallNumber}th; its report is listed after the mark is set.
     */
    private long ringDepthOfTwoSpawnsInAStalledPoll(int stallNumber) throws Exception {
        CountDownLatch spawned = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var stalled = runtime.spawn(() -> {
            // Blocks its worker until the detector has marked this poll.
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.recentStalls().size() == stallNumber);
            AsyncRuntime.current().spawn(() -> 1);
            AsyncRuntime.current().spawn(() -> 2);
            spawned.countDown();
            return release.await(10, TimeUnit.SECONDS);
        });
        assertThat(spawned.await(10, TimeUnit.SECONDS)).isTrue();
        long depth = runtime.metrics().perWorker().get(0).localQueueDepthNormal();
        release.countDown();
        assertThat(stalled.get(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().aliveTasks() == 0);
        return depth;
    }
}

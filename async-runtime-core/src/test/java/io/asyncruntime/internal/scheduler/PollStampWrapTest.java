package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 9 (review9, c9ac779; failed on d6874c4): the poll stamp is the worker's int tick widened to long, so once
 * the tick has wrapped (2^32 polls: minutes at a few million polls/s) one poll in every wrap
 * publishes -1, which is {@code PARKED}, and the stall detector cannot see that poll stall.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollStampWrapTest {

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aPollWhoseTickWrappedToMinusOneIsStillSeenByTheStallDetector() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).stallThreshold(Duration.ofMillis(50)).build();
        // Control: the same stall with an ordinary tick is counted.
        runtime.spawn(() -> {
            Thread.sleep(600);
            return null;
        }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(
                () -> assertThat(runtime.metrics().blocking().stalls()).as("control stall counted").isEqualTo(1));

        // On the worker's own thread (the only writer of tick): the next poll gets tick -1, as the
        // 4,294,967,295th poll of a worker does.
        runtime.spawn(() -> {
            Worker worker = ((WorkerThread) Thread.currentThread()).worker;
            Field tick = Worker.class.getDeclaredField("tick");
            tick.setAccessible(true);
            tick.setInt(worker, -2);
            return null;
        }).get(10, TimeUnit.SECONDS);

        runtime.spawn(() -> {
            Thread.sleep(600); // a stall: twelve thresholds inside one poll
            return null;
        }).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(
                () -> assertThat(runtime.metrics().blocking().stalls()).as("stalls counted, the wrapped poll's included").isEqualTo(2));
    }
}

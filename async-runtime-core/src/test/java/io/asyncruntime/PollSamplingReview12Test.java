package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review 12 reproducers for {@link AsyncRuntime#samplePolls} (PollSampler / WorkerSampling). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollSamplingReview12Test {

    private static final long MILLIS = 1_000_000L;

    private static final class Recorder implements PollSampleListener {
        final Queue<Long> pollTimes = new ConcurrentLinkedQueue<>();
        final Queue<Long> latencies = new ConcurrentLinkedQueue<>();

        @Override
        public void pollTime(int worker, long nanos) {
            pollTimes.add(nanos);
        }

        @Override
        public void scheduleLatency(long nanos) {
            latencies.add(nanos);
        }
    }

    /**
     * PollSampler.followSchedule replaces a followed task that has waited over ABANDONED_NANOS (1 s)
     * with the next sampled schedule, so the longest waits (a saturated or stalled runtime: exactly
     * what schedule latency is there to show) are never recorded: the timer's max stays under ~1 s.
     */
    @Test
    void aWaitLongerThanOneSecondIsRecorded() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).stallThreshold(Duration.ZERO).build()) {
            Recorder recorder = new Recorder();
            runtime.samplePolls(1, recorder); // remote schedules are sampled at once (no countdown)
            CountDownLatch spinning = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            JoinHandle<Void> longPoll = runtime.spawn(() -> {
                spinning.countDown();
                long end = System.nanoTime() + 10_000 * MILLIS; // bounded: the test releases it
                while (release.getCount() > 0 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
            long queuedAt = System.nanoTime();
            JoinHandle<String> waitsLong = runtime.spawn(() -> "waited"); // followed: the slot is free
            // Deliberately let time pass (the thing measured): the task waits behind the spinning poll.
            while (System.nanoTime() - queuedAt < 1_200 * MILLIS) {
                LockSupport.parkNanos(10 * MILLIS);
            }
            JoinHandle<String> later = runtime.spawn(() -> "later"); // a later sampled schedule
            release.countDown(); // only now may the worker poll the waiting tasks
            assertThat(waitsLong.get(10, TimeUnit.SECONDS)).isEqualTo("waited");
            assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo("later");
            longPoll.get(10, TimeUnit.SECONDS);
            assertThat(recorder.latencies).as("schedule latencies recorded (ns); one task waited >= 1.2 s behind a spinning poll")
                    .anyMatch(t -> t >= 1_000 * MILLIS);
        }
    }

    /**
     * samplePolls' Javadoc: "takes effect on each worker within a few thousand polls". A worker's
     * countdown restarts from the interval in force at its last sample, so going from 1,000,000 to 1
     * leaves the new listener without a poll sample for up to a million polls.
     */
    @Test
    void aSmallerIntervalTakesEffectWithinAFewThousandPolls() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            runtime.samplePolls(AsyncRuntime.MAX_POLL_SAMPLING_INTERVAL, new Recorder());
            yieldLoop(runtime, 10_000); // the worker re-reads the interval (after 4096 polls): 1,000,000
            Recorder now = new Recorder();
            runtime.samplePolls(1, now);
            yieldLoop(runtime, 20_000);
            assertThat(now.pollTimes).as("poll samples after 20,000 polls at one in 1").isNotEmpty();
        }
    }

    private static void yieldLoop(AsyncRuntime runtime, int polls) throws Exception {
        runtime.spawn(Task.loop(0, n -> n == polls
                ? Task.completed(Step.done(n))
                : Task.yieldNow().map(v -> Step.next(n + 1)))).get(30, TimeUnit.SECONDS);
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link AsyncRuntime#samplePolls}: sampled poll times and schedule latencies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollSamplingTest {

    private static final long MILLIS = 1_000_000L;

    /** Records every sample. */
    private static final class Recorder implements PollSampleListener {
        final Queue<Long> pollTimes = new ConcurrentLinkedQueue<>();
        final Queue<Integer> workers = new ConcurrentLinkedQueue<>();
        final Queue<Long> latencies = new ConcurrentLinkedQueue<>();

        @Override
        public void pollTime(int worker, long nanos) {
            workers.add(worker);
            pollTimes.add(nanos);
        }

        @Override
        public void scheduleLatency(long nanos) {
            latencies.add(nanos);
        }
    }

    @Test
    void aLongPollAndAWaitBehindItAreSampled() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).stallThreshold(Duration.ZERO).build()) {
            Recorder recorder = new Recorder();
            runtime.samplePolls(1, recorder);
            passCountdowns(runtime);
            assertThat(recorder.pollTimes).as("every poll sampled once the worker took the interval").isNotEmpty();
            assertThat(recorder.workers).containsOnly(0);

            // The only worker spins until 60 ms after the second task was spawned behind it, so
            // that task waits at least that long whatever this thread's scheduling.
            java.util.concurrent.atomic.AtomicLong behindSpawnedAt = new java.util.concurrent.atomic.AtomicLong();
            CountDownLatch spinning = new CountDownLatch(1);
            JoinHandle<Void> longPoll = runtime.spawn(() -> {
                spinning.countDown();
                long since;
                while ((since = behindSpawnedAt.get()) == 0) {
                    Thread.onSpinWait();
                }
                spin(since + 60 * MILLIS - System.nanoTime());
            });
            spinning.await();
            JoinHandle<String> behind = runtime.spawn(() -> "ran");
            behindSpawnedAt.set(System.nanoTime());
            assertThat(behind.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            longPoll.get(10, TimeUnit.SECONDS);

            assertThat(recorder.pollTimes).as("the spinning poll's time").anyMatch(t -> t >= 60 * MILLIS);
            assertThat(recorder.latencies).as("the wait of the task spawned behind it").anyMatch(t -> t >= 60 * MILLIS);
            assertThat(recorder.latencies).allMatch(t -> t >= 0);
        }
    }

    @Test
    void stoppedSamplingCallsTheListenerNoMoreAndAThrowingListenerIsContained() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            AtomicInteger calls = new AtomicInteger();
            PollSampleListener.Registration registration = runtime.samplePolls(3, new PollSampleListener() {
                @Override
                public void pollTime(int worker, long nanos) {
                    calls.incrementAndGet();
                    throw new IllegalStateException("a broken listener");
                }

                @Override
                public void scheduleLatency(long nanos) {
                    calls.incrementAndGet();
                    throw new IllegalStateException("a broken listener");
                }
            });
            passCountdowns(runtime);
            assertThat(calls.get()).as("samples taken despite the listener throwing").isGreaterThan(100);

            registration.close();
            registration.close(); // twice: nothing more
            passCountdowns(runtime); // each worker takes a sample at most once more, and sees it is off
            int afterStop = calls.get();
            passCountdowns(runtime);
            assertThat(calls.get()).as("no sample once stopped").isEqualTo(afterStop);
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            assertThatThrownBy(() -> runtime.samplePolls(0, new Recorder()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("oneIn must be between 1 and 1000000, got 0");
            assertThatThrownBy(() -> runtime.samplePolls(1_000_001, new Recorder()))
                    .hasMessage("oneIn must be between 1 and 1000000, got 1000001");
            assertThatThrownBy(() -> runtime.samplePolls(1, null))
                    .isInstanceOf(NullPointerException.class).hasMessage("listener must not be null");
        }
    }

    /** Enough polls and schedules on every worker to bring each countdown round (it re-reads the interval every 4096). */
    private static void passCountdowns(AsyncRuntime runtime) throws Exception {
        for (int worker = 0; worker < runtime.workerThreads(); worker++) {
            JoinHandle<?>[] loops = new JoinHandle<?>[runtime.workerThreads()];
            for (int i = 0; i < loops.length; i++) {
                loops[i] = runtime.spawn(Task.loop(0, n -> n == 10_000
                        ? Task.completed(Step.done(n))
                        : Task.yieldNow().map(v -> Step.next(n + 1))));
            }
            for (JoinHandle<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void twoListenersAtTheirOwnIntervalsBothGetSamplesAndASmallerIntervalTakesEffectSoon() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Recorder rare = new Recorder();
            Recorder every = new Recorder();
            runtime.samplePolls(1_000_000, rare);
            passCountdowns(runtime);
            runtime.samplePolls(1, every); // a much smaller interval, asked for later
            passCountdowns(runtime);
            assertThat(every.pollTimes).as("samples at one in 1 within a few thousand polls").hasSizeGreaterThan(5_000);
            assertThat(rare.pollTimes.size()).as("the one-in-a-million listener still at its own rate")
                    .isLessThan(100);
        }
    }
}

package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No message lost or duplicated while waits are cancelled: producers push numbered messages
 * through a capacity-16 channel on a 2-worker runtime while the consumer's receives lose races
 * against short timers at random (cancelled while registered, cancelled before their first poll,
 * or cancelled after waiting up to a millisecond), and some sends lose such races too and are
 * retried. Every message must arrive exactly once, in each producer's order, and the channel must
 * end with all its room back and nothing registered.
 */
class ChannelNoLossStressTest {

    private static final int PRODUCERS = 4;
    private static final int CAPACITY = 16;

    /** The size, 4 × 250,000, in every build: under 10 s on 2 cores. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void fourProducersTimesQuarterMillionUnderRandomCancellation() throws Exception {
        run(250_000);
    }

    private static void run(int perProducer) throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Long> channel = Channel.bounded(CAPACITY);
            AtomicLong cancelledSends = new AtomicLong();
            List<JoinHandle<Void>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                long id = p;
                SplittableRandom random = new SplittableRandom(1_000 + p);
                producers.add(runtime.spawn(Task.loop(0, i -> {
                    if (i == perProducer) {
                        return Task.completed(Step.<Integer, Void>done(null));
                    }
                    Task<Void> send = channel.send(id << 32 | i);
                    if (random.nextInt(8) != 0) {
                        return send.map(ignored -> Step.<Integer, Void>next(i + 1));
                    }
                    // Race the send against an instant timer: if the send is not done at its first
                    // poll it is cancelled, and the same message is sent again.
                    return Task.select(send, sent -> Step.<Integer, Void>next(i + 1),
                            Time.sleep(Duration.ZERO), lost -> {
                                cancelledSends.incrementAndGet();
                                return Step.<Integer, Void>next(i);
                            });
                })));
            }
            long total = (long) PRODUCERS * perProducer;
            long[] next = new long[PRODUCERS];
            long[] cancelledReceives = new long[1];
            SplittableRandom random = new SplittableRandom(42);
            JoinHandle<Long> consumer = runtime.spawn(Task.loop(0L, received -> {
                if (received == total) {
                    return Task.completed(Step.<Long, Long>done(received));
                }
                Task<Optional<Long>> recv = channel.recv();
                int mode = random.nextInt(16);
                Task<Optional<Long>> raced;
                if (mode < 8) {
                    raced = recv; // plain
                } else if (mode < 14) {
                    // Cancelled right after registering its waker whenever it must wait.
                    raced = Task.race(recv, Time.sleep(Duration.ZERO).map(t -> null));
                } else if (mode < 15) {
                    // Never polled at all: the timer is polled first and wins.
                    raced = Task.race(Time.sleep(Duration.ZERO).map(t -> null), recv);
                } else {
                    // Waits up to about a millisecond, then is cancelled.
                    raced = Task.race(recv, Time.sleep(Duration.ofMillis(1)).map(t -> null));
                }
                return raced.map(message -> {
                    if (message == null) {
                        cancelledReceives[0]++;
                        return Step.<Long, Long>next(received);
                    }
                    long m = message.orElseThrow(() -> new AssertionError("channel ended early"));
                    int producer = (int) (m >>> 32);
                    long sequence = m & 0xFFFF_FFFFL;
                    if (sequence != next[producer]) {
                        throw new AssertionError("producer " + producer + ": received " + sequence
                                + " but expected " + next[producer] + (sequence < next[producer] ? " (duplicate)" : " (lost)"));
                    }
                    next[producer]++;
                    return Step.<Long, Long>next(received + 1);
                });
            }));
            assertThat(consumer.get(perProducer * 4L / 1_000 + 60, TimeUnit.SECONDS)).isEqualTo(total);
            for (JoinHandle<Void> producer : producers) {
                producer.get(30, TimeUnit.SECONDS);
            }
            for (int p = 0; p < PRODUCERS; p++) {
                assertThat(next[p]).as("messages from producer %d", p).isEqualTo(perProducer);
            }
            assertThat(channel.tryRecv()).as("nothing left over").isEmpty();
            assertThat(channel.permits.available()).as("all room back").isEqualTo(CAPACITY);
            assertThat(channel.permits.waiterCount()).as("no send registered").isZero();
            assertThat(cancelledReceives[0]).as("receives were cancelled").isPositive();
            assertThat(cancelledSends.get()).as("sends were cancelled").isPositive();
        }
    }
}

package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-over between a send that starts waiting for room and the consumer that frees it, where
 * a miss is permanent: a tiny channel, so sends keep finding it full and race the consumer's take
 * of the last message, after which the channel is empty and nothing else would serve the queue.
 * A producer on a plain thread (so it really runs beside the consumer's worker) and a consumer task
 * on a worker (whose receives defer handing room over to the end of its poll when the batch is
 * more than one slot); a lost hand-off leaves both waiting and the bounded get times out.
 * (review25 wrote it for chan11d's waiters hint; here the race is {@code enqueue}'s serve-first
 * against the receiver's add and its poll-end serve.)
 *
 * <p>{@code ChannelNoLossStressTest} (capacity 16, one message per receive) cannot see such a miss:
 * the consumer's next take serves the waiter.
 */
class ChannelHandoffStressTest {

    private static final int MESSAGES = 200_000;

    @ParameterizedTest(name = "capacity {0}, batch {1}")
    @CsvSource({"1, 1", "2, 2"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void senderAndConsumerNeverBothWait(int capacity, int grantBatch) throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Channel<Integer> channel = Channel.boundedWithGrantBatch(capacity, grantBatch);
            JoinHandle<Integer> consumer = runtime.spawn(Task.loop(0, count -> count == MESSAGES
                    ? Task.completed(Step.<Integer, Integer>done(count))
                    : channel.recv().map(message -> {
                        int m = message.orElseThrow();
                        if (m != count) {
                            throw new AssertionError("received " + m + ", expected " + count);
                        }
                        return Step.<Integer, Integer>next(count + 1);
                    })));
            Thread producer = new Thread(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                    runtime.blockOn(channel.send(i));
                }
            }, "handoff-producer");
            producer.setDaemon(true);
            producer.start();
            assertThat(consumer.get(60, TimeUnit.SECONDS)).isEqualTo(MESSAGES);
            producer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(producer.isAlive()).isFalse();
            assertThat(channel.permits.available()).isEqualTo(capacity);
        }
    }
}

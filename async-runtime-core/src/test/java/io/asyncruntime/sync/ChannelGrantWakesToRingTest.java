package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11 (chan11i): a sender the receiver's grant of room wakes goes to the back of the
 * worker's ring, where an idle worker can take it, not to the worker's LIFO slot (where only the
 * receiver's worker runs it, after the poll). On one worker the order shows it: a task the
 * receiver's poll spawned first sits in the LIFO slot; a grant wake into the slot would push it
 * to the ring and run first, a wake to the ring runs after it.
 */
class ChannelGrantWakesToRingTest {

    /**
     * Capacity 1: the grant batch (1) is reached at once, the grant is made in the poll; capacity
     * 4: one slot freed is below the batch (2), the grant is made at the poll's end.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aSenderWokenByTheReceiversGrantRunsAfterTheTaskThePollSpawned(int capacity) throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Channel<Integer> channel = Channel.bounded(capacity);
            for (int i = 0; i < capacity; i++) {
                assertThat(channel.trySend(i)).isTrue();
            }
            JoinHandle<Void> sender = runtime.spawn(channel.send(capacity).map(ignored -> {
                order.add("sender");
                return null;
            }));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.permits.waiterCount() == 1);
            JoinHandle<Integer> receiver = runtime.spawn(new SpawnThenReceive(runtime, channel, order));
            assertThat(receiver.get(10, TimeUnit.SECONDS)).isZero();
            sender.get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);
            assertThat(order).containsExactly("spawned", "sender");
        }
    }

    /**
     * What the ring is for (chan11j): two workers, the stall detector off (so nothing but the ring
     * lets the idle worker take the sender); the receiver's poll receives (capacity 1: the grant is
     * made in the poll) and then waits, bounded, for the sender to run. The idle worker is notified
     * and runs the sender beside the receiver's poll; a wake into the receiver's LIFO slot would
     * run it only after the poll (on int13 the wait times out).
     */
    @Test
    void aSenderWokenByTheReceiversGrantRunsBesideItsPollOnTheIdleWorker() throws Exception {
        CountDownLatch senderRan = new CountDownLatch(1);
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).stallThreshold(Duration.ZERO).build()) {
            Channel<Integer> channel = Channel.bounded(1);
            assertThat(channel.trySend(0)).isTrue();
            JoinHandle<Void> sender = runtime.spawn(channel.send(1).map(ignored -> {
                senderRan.countDown();
                return null;
            }));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.permits.waiterCount() == 1);
            JoinHandle<Boolean> receiver = runtime.spawn(new ReceiveThenWaitForSender(channel, senderRan));
            assertThat(receiver.get(30, TimeUnit.SECONDS)).as("the sender ran while the receiver's poll waited").isTrue();
            sender.get(10, TimeUnit.SECONDS);
        }
    }

    /** In one poll: receives one message (a grant), then waits up to 5 s for the sender to run. */
    private static final class ReceiveThenWaitForSender implements Task<Boolean> {
        private final Channel<Integer> channel;
        private final CountDownLatch senderRan;
        private Task<Optional<Integer>> recv;

        ReceiveThenWaitForSender(Channel<Integer> channel, CountDownLatch senderRan) {
            this.channel = channel;
            this.senderRan = senderRan;
        }

        @Override
        public Poll<Boolean> poll(Context cx) throws Exception {
            if (recv == null) {
                recv = channel.recv();
            }
            Poll<Optional<Integer>> polled = recv.poll(cx);
            if (polled.isPending()) {
                return Poll.pending();
            }
            assertThat(polled.value()).contains(0);
            return Poll.ready(senderRan.await(5, TimeUnit.SECONDS));
        }
    }

    /** In one poll: spawns a task (into the LIFO slot), then receives one message (a grant). */
    private static final class SpawnThenReceive implements Task<Integer> {
        private final AsyncRuntime runtime;
        private final Channel<Integer> channel;
        private final List<String> order;
        private Task<Optional<Integer>> recv;

        SpawnThenReceive(AsyncRuntime runtime, Channel<Integer> channel, List<String> order) {
            this.runtime = runtime;
            this.channel = channel;
            this.order = order;
        }

        @Override
        public Poll<Integer> poll(Context cx) throws Exception {
            if (recv == null) {
                runtime.spawn(Task.call(() -> {
                    order.add("spawned");
                    return null;
                }));
                recv = channel.recv();
            }
            Poll<Optional<Integer>> polled = recv.poll(cx);
            return polled.isPending() ? Poll.pending() : Poll.ready(polled.value().orElseThrow());
        }
    }
}

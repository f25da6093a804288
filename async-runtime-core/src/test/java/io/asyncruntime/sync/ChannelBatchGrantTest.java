package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bounded channel's receiver hands freed room to waiting sends in batches: once half the
 * capacity is free, or when the receiver's poll ends, never later. Sends waiting on a full channel
 * all get through, in arrival order; {@code trySend} neither overtakes them nor fails while room
 * it could use is owed; a receiver that stops receiving (its poll ends) leaves nothing owed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelBatchGrantTest {

    /** Sends polled once each, all found the channel full: in arrival order. */
    private static final class WaitingSends {
        final List<Task<Void>> sends = new ArrayList<>();
        final List<TestContext> contexts = new ArrayList<>();

        WaitingSends(Channel<Integer> channel, int first, int count) {
            for (int i = first; i < first + count; i++) {
                Task<Void> send = channel.send(i);
                TestContext cx = new TestContext();
                assertThat(cx.poll(send).isPending()).as("send %d waits", i).isTrue();
                sends.add(send);
                contexts.add(cx);
            }
        }

        int phase(int i) {
            return ((ChannelSend<?>) sends.get(i)).nodePhase();
        }

        boolean woken(int i) {
            return contexts.get(i).wakes.get() > 0;
        }
    }

    private static Channel<Integer> full(int capacity, int grantBatch) {
        Channel<Integer> channel = Channel.boundedWithGrantBatch(capacity, grantBatch);
        for (int i = 0; i < capacity; i++) {
            assertThat(channel.trySend(i)).isTrue();
        }
        return channel;
    }

    /** One recv polled to completion inside the consumer's poll, which stays open. */
    private static Optional<Integer> recvInOpenPoll(Channel<Integer> channel, TestContext consumer) throws Exception {
        Poll<Optional<Integer>> polled = channel.recv().poll(consumer);
        assertThat(polled.isReady()).isTrue();
        return polled.value();
    }

    @Test
    void roomFreedBelowTheBatchIsHandedToTheWaitingSendsWhenTheReceiversPollEnds() throws Exception {
        Channel<Integer> channel = full(4, 2);
        WaitingSends waiting = new WaitingSends(channel, 100, 3);
        TestContext consumer = TestContext.deferring();

        assertThat(recvInOpenPoll(channel, consumer)).contains(0);
        assertThat(waiting.phase(0)).as("not served during the poll").isEqualTo(BatchSemaphore.Acquirer.WAITING);
        assertThat(consumer.hasPollEndAction()).isTrue();

        consumer.endPoll();
        assertThat(waiting.phase(0)).isEqualTo(BatchSemaphore.Acquirer.GRANTED);
        assertThat(waiting.woken(0)).isTrue();
        assertThat(waiting.phase(1)).isEqualTo(BatchSemaphore.Acquirer.WAITING);
        assertThat(waiting.woken(1)).isFalse();
        assertThat(channel.permits.owesWaiters()).isFalse();
    }

    @Test
    void aBatchOfFreedRoomIsHandedOverDuringThePollInArrivalOrder() throws Exception {
        Channel<Integer> channel = full(4, 2);
        WaitingSends waiting = new WaitingSends(channel, 100, 3);
        TestContext consumer = TestContext.deferring();

        assertThat(recvInOpenPoll(channel, consumer)).contains(0);
        assertThat(recvInOpenPoll(channel, consumer)).contains(1);
        assertThat(waiting.phase(0)).isEqualTo(BatchSemaphore.Acquirer.GRANTED);
        assertThat(waiting.phase(1)).isEqualTo(BatchSemaphore.Acquirer.GRANTED);
        assertThat(waiting.phase(2)).isEqualTo(BatchSemaphore.Acquirer.WAITING);
        assertThat(waiting.woken(0) && waiting.woken(1)).isTrue();
        consumer.endPoll(); // nothing owed: the batch was served
        assertThat(waiting.phase(2)).isEqualTo(BatchSemaphore.Acquirer.WAITING);

        for (int i = 0; i < 2; i++) {
            assertThat(waiting.contexts.get(i).poll(waiting.sends.get(i)).isReady()).isTrue();
        }
        // Outside a poll (no context) a receive serves the waiting send at once.
        assertThat(channel.tryRecv()).contains(2);
        assertThat(waiting.phase(2)).isEqualTo(BatchSemaphore.Acquirer.GRANTED);
        assertThat(waiting.contexts.get(2).poll(waiting.sends.get(2)).isReady()).isTrue();
        List<Integer> drained = new ArrayList<>();
        for (Optional<Integer> m = channel.tryRecv(); m.isPresent(); m = channel.tryRecv()) {
            drained.add(m.get());
        }
        assertThat(drained).containsExactly(3, 100, 101, 102);
    }

    @Test
    void trySendServesTheWaitingSendsFirstAndThenUsesTheRoomLeftOver() throws Exception {
        Channel<Integer> channel = full(4, 4);
        WaitingSends waiting = new WaitingSends(channel, 100, 1);
        TestContext consumer = TestContext.deferring();
        assertThat(recvInOpenPoll(channel, consumer)).contains(0);
        assertThat(recvInOpenPoll(channel, consumer)).contains(1);
        assertThat(waiting.phase(0)).isEqualTo(BatchSemaphore.Acquirer.WAITING);

        // Two slots free, one waiting send: it gets one, trySend the other (as if served at once).
        assertThat(channel.trySend(200)).isTrue();
        assertThat(waiting.phase(0)).isEqualTo(BatchSemaphore.Acquirer.GRANTED);
        assertThat(waiting.woken(0)).isTrue();
        assertThat(channel.trySend(201)).as("full: 2, 3, 200 and the granted send").isFalse();
        assertThat(channel.tryReserve()).isEmpty();
        consumer.endPoll();
    }

    @Test
    void trySendDoesNotOvertakeASendStillWaitingAfterTheOwedRoomIsServed() throws Exception {
        Channel<Integer> channel = full(4, 4);
        WaitingSends waiting = new WaitingSends(channel, 100, 2);
        TestContext consumer = TestContext.deferring();
        assertThat(recvInOpenPoll(channel, consumer)).contains(0);

        assertThat(channel.trySend(200)).isFalse();
        assertThat(channel.tryReserve()).isEmpty();
        assertThat(waiting.phase(0)).isEqualTo(BatchSemaphore.Acquirer.GRANTED);
        assertThat(waiting.phase(1)).isEqualTo(BatchSemaphore.Acquirer.WAITING);
        consumer.endPoll();
    }

    @Test
    void aWaitingSendCancelledWhileRoomIsOwedLeavesTheRoomFree() throws Exception {
        Channel<Integer> channel = full(4, 4);
        WaitingSends waiting = new WaitingSends(channel, 100, 1);
        TestContext consumer = TestContext.deferring();
        assertThat(recvInOpenPoll(channel, consumer)).contains(0);

        waiting.sends.get(0).cancel();
        assertThat(channel.permits.owesWaiters()).isFalse();
        assertThat(channel.trySend(200)).isTrue();
        consumer.endPoll();
        assertThat(channel.permits.available()).isZero();
    }

    @Test
    void closeWhileRoomIsOwedGrantsTheWaitingSendItWasFreedFor() throws Exception {
        Channel<Integer> channel = full(2, 2);
        WaitingSends waiting = new WaitingSends(channel, 100, 2);
        TestContext consumer = TestContext.deferring();
        assertThat(recvInOpenPoll(channel, consumer)).contains(0);

        channel.close(); // the receive came first: its room was the first waiting send's
        consumer.endPoll();
        assertThat(waiting.contexts.get(0).poll(waiting.sends.get(0)).isReady()).isTrue();
        assertThat(waiting.phase(1)).isEqualTo(BatchSemaphore.Acquirer.FAILED);
        assertThat(channel.tryRecv()).contains(1);
        assertThat(channel.tryRecv()).contains(100);
        assertThat(channel.isClosed()).isTrue();
    }

    // ---- on a runtime: the poll's end is the latest hand-over ---------------------------------

    /**
     * The receiver takes fewer messages than the batch and then waits for the producer, whose
     * next send waits for that room: the room must reach it when the receiver's poll ends, or
     * neither ever finishes. (A channel that handed room over only per batch, or only when its
     * receiver next found it empty, deadlocks here.)
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 64})
    void aReceiverThatStopsReceivingAndWaitsForTheSenderLeavesNoRoomOwed(int capacity) throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> channel = Channel.boundedWithGrantBatch(capacity, Math.max(1, capacity));
            int extra = 3; // sends beyond the capacity, each waits for one received message
            JoinHandle<Void> producer = runtime.spawn(Task.loop(0, i -> i == capacity + extra
                    ? Task.completed(Step.<Integer, Void>done(null))
                    : channel.send(i).map(ignored -> Step.<Integer, Void>next(i + 1))));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.permits.waiterCount() == 1);
            JoinHandle<Integer> consumer = runtime.spawn(Task.loop(0, got -> got == extra
                    ? producer.map(ignored -> Step.<Integer, Integer>done(got))
                    : channel.recv().map(m -> Step.<Integer, Integer>next(got + 1))));
            assertThat(consumer.get(10, TimeUnit.SECONDS)).isEqualTo(extra);
            List<Integer> rest = new ArrayList<>();
            for (Optional<Integer> m = channel.tryRecv(); m.isPresent(); m = channel.tryRecv()) {
                rest.add(m.get());
            }
            assertThat(rest).hasSize(capacity);
        }
    }

    /**
     * Senders queue one by one on a full channel (each spawned once the one before waits); the
     * receiver then drains everything on a 2-worker runtime: every send gets through and nothing
     * is left waiting or owed. (Room goes to the waiting sends in arrival order, checked above
     * without a scheduler; the order their messages land in is the order the woken sends run,
     * which is the scheduler's: on main as here, the last one woken during a poll runs first from
     * the LIFO slot.)
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void sendsWaitingOnAFullChannelAllGetThrough(int capacity) throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> channel = Channel.bounded(capacity);
            for (int i = 0; i < capacity; i++) {
                channel.trySend(i);
            }
            int waiters = 6;
            List<JoinHandle<Void>> sends = new ArrayList<>();
            for (int w = 0; w < waiters; w++) {
                sends.add(runtime.spawn(channel.send(capacity + w)));
                int queued = w + 1;
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.permits.waiterCount() == queued);
            }
            JoinHandle<List<Integer>> consumer = runtime.spawn(new DrainAll(channel, capacity + waiters));
            List<Integer> received = consumer.get(10, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < capacity + waiters; i++) {
                expected.add(i);
            }
            assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(received.subList(0, capacity)).isEqualTo(expected.subList(0, capacity));
            for (JoinHandle<Void> send : sends) {
                send.get(10, TimeUnit.SECONDS);
            }
            assertThat(channel.permits.available()).isEqualTo(capacity);
            assertThat(channel.permits.waiterCount()).isZero();
        }
    }

    /** Receives {@code count} messages, as many per poll as are there (the budget permitting). */
    private static final class DrainAll implements Task<List<Integer>> {
        private final Channel<Integer> channel;
        private final int count;
        private final List<Integer> received = new ArrayList<>();
        private Task<Optional<Integer>> recv;

        DrainAll(Channel<Integer> channel, int count) {
            this.channel = channel;
            this.count = count;
        }

        @Override
        public Poll<List<Integer>> poll(Context cx) throws Exception {
            while (received.size() < count) {
                if (recv == null) {
                    recv = channel.recv();
                }
                Poll<Optional<Integer>> polled = recv.poll(cx);
                if (polled.isPending()) {
                    return Poll.pending();
                }
                recv = null;
                received.add(polled.value().orElseThrow());
            }
            return Poll.ready(received);
        }
    }
}

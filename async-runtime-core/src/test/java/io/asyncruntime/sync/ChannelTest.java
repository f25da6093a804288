package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelTest {

    // ---- bad input -------------------------------------------------------------------------

    @Test
    void capacitiesOutsideOneToMaxAreRejected() {
        assertThatThrownBy(() -> Channel.bounded(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be in [1, 1073741823], was 0");
        assertThatThrownBy(() -> Channel.bounded(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -5");
        assertThatThrownBy(() -> Channel.bounded(Channel.MAX_CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullMessagesAndRecvManyBelowOneAreRejected() {
        Channel<String> channel = Channel.bounded(2);
        assertThatThrownBy(() -> channel.send(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("message must not be null");
        assertThatThrownBy(() -> channel.trySend(null)).isInstanceOf(NullPointerException.class);
        Channel.Permit<String> permit = channel.tryReserve().orElseThrow();
        assertThatThrownBy(() -> permit.send(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> channel.recvMany(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max must be at least 1, was 0");
        permit.close();
        assertThat(channel.trySend("a")).isTrue();
        assertThat(channel.trySend("b")).as("the null sends took no room").isTrue();
    }

    @Test
    void useAfterCloseFailsClearly() {
        Channel<String> channel = Channel.bounded(2);
        channel.close();
        assertThatThrownBy(() -> channel.trySend("x")).isInstanceOf(ChannelClosedException.class)
                .hasMessage("trySend on a closed channel");
        assertThatThrownBy(channel::tryReserve).isInstanceOf(ChannelClosedException.class);
        TestContext cx = new TestContext();
        assertThatThrownBy(() -> cx.poll(channel.send("x"))).isInstanceOf(ChannelClosedException.class)
                .hasMessage("send on a closed channel");
        assertThatThrownBy(() -> cx.poll(channel.reserve())).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(channel::tryRecv).isInstanceOf(ChannelClosedException.class)
                .hasMessage("tryRecv on a channel that is closed and drained");
        assertThat(cx.poll(channel.recv()).value()).isEmpty();
        assertThat(cx.poll(channel.recvMany(3)).value()).isEmpty();
    }

    // ---- capacity and order --------------------------------------------------------------------

    @Test
    void aBoundedChannelHoldsExactlyItsCapacity() {
        Channel<Integer> channel = Channel.bounded(3);
        assertThat(channel.capacity()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(channel.trySend(i)).isTrue();
        }
        assertThat(channel.trySend(3)).isFalse();
        assertThat(channel.tryRecv()).contains(0);
        assertThat(channel.trySend(3)).as("room right after a receive").isTrue();
        assertThat(channel.trySend(4)).isFalse();
        assertThat(List.of(channel.tryRecv().orElseThrow(), channel.tryRecv().orElseThrow(), channel.tryRecv().orElseThrow()))
                .containsExactly(1, 2, 3);
        assertThat(channel.tryRecv()).isEmpty();
    }

    @Test
    void messagesWrapAroundTheRingAndItsChunksInOrder() {
        Channel<Integer> channel = Channel.bounded(5_000); // ring of 8,192 in 8 chunks of 1,024
        int sent = 0;
        int received = 0;
        for (int round = 0; round < 7; round++) {
            while (channel.trySend(sent)) {
                sent++;
            }
            assertThat(sent - received).isEqualTo(5_000);
            for (int i = 0; i < 3_001; i++) {
                assertThat(channel.tryRecv()).contains(received++);
            }
        }
        while (received < sent) {
            assertThat(channel.tryRecv()).contains(received++);
        }
        assertThat(channel.tryRecv()).isEmpty();
    }

    @Test
    void anUnboundedChannelNeverMakesASenderWaitAndKeepsOrderAcrossBlocks() {
        Channel<Integer> channel = Channel.unbounded();
        assertThat(channel.capacity()).isEqualTo(Integer.MAX_VALUE);
        TestContext cx = new TestContext();
        int sent = 0;
        int received = 0;
        for (int round = 0; round < 5; round++) { // 150 in, 100 out: crosses 64-message blocks
            for (int i = 0; i < 150; i++) {
                assertThat(cx.poll(channel.send(sent++)).isReady()).isTrue();
            }
            for (int i = 0; i < 100; i++) {
                assertThat(channel.tryRecv()).contains(received++);
            }
        }
        List<Integer> rest = cx.poll(channel.recvMany(1_000)).value();
        assertThat(rest).hasSize(sent - received).first().isEqualTo(received);
        assertThat(rest).isSorted();
    }

    @Test
    void anUnboundedChannelDeliversInSendOrder() {
        Channel<Integer> channel = Channel.unbounded();
        for (int i = 0; i < 1_000; i++) {
            assertThat(channel.trySend(i)).isTrue();
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(channel.tryRecv()).contains(i);
        }
        channel.close();
        assertThatThrownBy(channel::tryRecv).isInstanceOf(ChannelClosedException.class);
    }

    // ---- waiting ---------------------------------------------------------------------------

    @Test
    void aSendWaitsWhileFullAndIsWokenByAReceive() {
        Channel<String> channel = Channel.bounded(1);
        TestContext producer = new TestContext();
        assertThat(channel.trySend("first")).isTrue();
        Task<Void> send = channel.send("second");
        assertThat(producer.poll(send).isPending()).isTrue();
        assertThat(channel.tryRecv()).contains("first");
        assertThat(producer.wakes.get()).isEqualTo(1);
        assertThat(producer.poll(send).isReady()).isTrue();
        assertThat(channel.tryRecv()).contains("second");
    }

    @Test
    void waitingSendsCompleteInArrivalOrderAndTrySendDoesNotJumpTheQueue() {
        Channel<Integer> channel = Channel.bounded(1);
        channel.trySend(0);
        List<Task<Void>> sends = new ArrayList<>();
        List<TestContext> contexts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Task<Void> send = channel.send(i);
            TestContext cx = new TestContext();
            assertThat(cx.poll(send).isPending()).isTrue();
            sends.add(send);
            contexts.add(cx);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(channel.tryRecv()).contains(i);
            assertThat(channel.trySend(99)).as("a waiter owns the room").isFalse();
            assertThat(contexts.get(i).poll(sends.get(i)).isReady()).isTrue();
        }
        assertThat(channel.tryRecv()).contains(3);
    }

    @Test
    void aRecvWaitsForAMessageAndIsWokenBySend() {
        Channel<String> channel = Channel.bounded(4);
        TestContext consumer = new TestContext();
        Task<Optional<String>> recv = channel.recv();
        assertThat(consumer.poll(recv).isPending()).isTrue();
        assertThat(channel.trySend("hello")).isTrue();
        assertThat(consumer.wakes.get()).isEqualTo(1);
        assertThat(consumer.poll(recv).value()).contains("hello");
        assertThat(channel.trySend("again")).isTrue();
        assertThat(consumer.wakes.get()).as("nothing stays registered after a recv completes").isEqualTo(1);
    }

    @Test
    void aRecvWithoutBudgetLeavesTheMessageInTheChannel() {
        Channel<String> channel = Channel.bounded(4);
        channel.trySend("kept");
        TestContext cx = new TestContext(0);
        Task<Optional<String>> recv = channel.recv();
        assertThat(cx.poll(recv).isPending()).isTrue();
        assertThat(cx.yields.get()).isEqualTo(1);
        cx.refill(1);
        assertThat(cx.poll(recv).value()).contains("kept");
    }

    @Test
    void aCancelledRecvLosesNoMessageAndLeavesNothingRegistered() {
        Channel<String> channel = Channel.bounded(4);
        TestContext first = new TestContext();
        Task<Optional<String>> recv = channel.recv();
        first.poll(recv);
        recv.cancel();
        assertThat(channel.trySend("m")).isTrue();
        assertThat(first.wakes.get()).isZero();
        TestContext second = new TestContext();
        assertThat(second.poll(channel.recv()).value()).contains("m");
    }

    @Test
    void aSecondWaitingReceiveIsAnError() {
        Channel<String> channel = Channel.bounded(4);
        TestContext one = new TestContext();
        TestContext two = new TestContext();
        Task<Optional<String>> first = channel.recv();
        one.poll(first);
        Task<Optional<String>> other = channel.recv();
        assertThatThrownBy(() -> two.poll(other)).isInstanceOf(IllegalStateException.class)
                .hasMessage("a Channel has one receiver, and another receive is already waiting on it");
        channel.trySend("m");
        assertThat(one.wakes.get()).as("the first receive is still registered").isEqualTo(1);
        assertThat(one.poll(first).value()).contains("m");
    }

    @Test
    void aReceivePolledAgainWithANewWakerIsWokenThroughIt() {
        Channel<String> channel = Channel.bounded(4);
        TestContext before = new TestContext();
        TestContext after = new TestContext();
        Task<Optional<String>> recv = channel.recv();
        before.poll(recv);
        after.poll(recv);
        channel.trySend("m");
        assertThat(before.wakes.get()).isZero();
        assertThat(after.wakes.get()).isEqualTo(1);
    }

    @Test
    void aCancelledSendThatWasGivenRoomDeliversNothingAndGivesTheRoomBack() {
        Channel<String> channel = Channel.bounded(1);
        channel.trySend("a");
        TestContext producer = new TestContext();
        Task<Void> send = channel.send("never");
        producer.poll(send);
        assertThat(channel.tryRecv()).contains("a");  // the room goes to the waiting send
        send.cancel();
        assertThat(channel.tryRecv()).isEmpty();
        assertThat(channel.trySend("b")).isTrue();
        assertThat(channel.tryRecv()).contains("b");
    }

    @Test
    void recvManyTakesWhatIsThereUpToMaxOldestFirst() {
        Channel<Integer> channel = Channel.bounded(10);
        for (int i = 0; i < 7; i++) {
            channel.trySend(i);
        }
        TestContext cx = new TestContext();
        assertThat(cx.poll(channel.recvMany(5)).value()).containsExactly(0, 1, 2, 3, 4);
        assertThat(cx.poll(channel.recvMany(5)).value()).containsExactly(5, 6);
        Task<List<Integer>> waiting = channel.recvMany(5);
        assertThat(cx.poll(waiting).isPending()).isTrue();
        channel.trySend(7);
        assertThat(cx.poll(waiting).value()).containsExactly(7);
    }

    // ---- reserve ---------------------------------------------------------------------------

    @Test
    void aReservationHoldsRoomAndSendsWithoutWaiting() {
        Channel<String> channel = Channel.bounded(1);
        TestContext cx = new TestContext();
        Channel.Permit<String> permit = cx.poll(channel.reserve()).value();
        assertThat(channel.trySend("other")).as("the room is reserved").isFalse();
        permit.send("reserved");
        assertThatThrownBy(() -> permit.send("twice")).isInstanceOf(IllegalStateException.class)
                .hasMessage("this channel permit already sent a message");
        permit.close(); // after sending: nothing to give back
        assertThat(channel.tryRecv()).contains("reserved");
        assertThat(channel.tryRecv()).isEmpty();
        assertThat(channel.trySend("x")).isTrue();
        assertThat(channel.trySend("y")).isFalse();
    }

    @Test
    void closingAnUnusedReservationGivesTheRoomBack() {
        Channel<String> channel = Channel.bounded(1);
        Channel.Permit<String> permit = channel.tryReserve().orElseThrow();
        permit.close();
        permit.close();
        assertThatThrownBy(() -> permit.send("late")).isInstanceOf(IllegalStateException.class)
                .hasMessage("this channel permit was closed");
        assertThat(channel.trySend("a")).isTrue();
    }

    // ---- closing ---------------------------------------------------------------------------

    @Test
    void closeFailsWaitingSendsAndLetsTheReceiverDrain() {
        Channel<Integer> channel = Channel.bounded(2);
        channel.trySend(1);
        channel.trySend(2);
        TestContext producer = new TestContext();
        Task<Void> waiting = channel.send(3);
        producer.poll(waiting);
        Task<Void> closed = channel.closed();
        TestContext watcher = new TestContext();
        assertThat(watcher.poll(closed).isPending()).isTrue();

        channel.close();
        assertThat(channel.isClosed()).isTrue();
        assertThat(producer.wakes.get()).isEqualTo(1);
        assertThatThrownBy(() -> producer.poll(waiting)).isInstanceOf(ChannelClosedException.class);
        assertThat(watcher.wakes.get()).isEqualTo(1);
        assertThat(watcher.poll(closed).isReady()).isTrue();

        TestContext consumer = new TestContext();
        assertThat(consumer.poll(channel.recv()).value()).contains(1);
        assertThat(consumer.poll(channel.recv()).value()).contains(2);
        assertThat(consumer.poll(channel.recv()).value()).isEmpty();
    }

    @Test
    void aReservationMadeBeforeCloseStillSendsAndTheReceiverWaitsForIt() {
        Channel<String> channel = Channel.bounded(2);
        Channel.Permit<String> sends = channel.tryReserve().orElseThrow();
        Channel.Permit<String> dropped = channel.tryReserve().orElseThrow();
        channel.close();
        TestContext consumer = new TestContext();
        Task<Optional<String>> recv = channel.recv();
        assertThat(consumer.poll(recv).isPending()).as("two reservations are outstanding").isTrue();
        sends.send("late but valid");
        assertThat(consumer.poll(recv).value()).contains("late but valid");
        Task<Optional<String>> last = channel.recv();
        assertThat(consumer.poll(last).isPending()).isTrue();
        int wakes = consumer.wakes.get();
        dropped.close();
        assertThat(consumer.wakes.get()).as("the last permit back ends the stream").isGreaterThan(wakes);
        assertThat(consumer.poll(last).value()).isEmpty();
    }

    @Test
    void closeWakesAWaitingReceiver() {
        Channel<String> channel = Channel.unbounded();
        TestContext consumer = new TestContext();
        Task<Optional<String>> recv = channel.recv();
        consumer.poll(recv);
        channel.close();
        assertThat(consumer.wakes.get()).isEqualTo(1);
        assertThat(consumer.poll(recv).value()).isEmpty();
    }

    // ---- on a real runtime -----------------------------------------------------------------

    @Test
    void producersAndAConsumerOnARealRuntimeKeepPerProducerOrder() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Long> channel = Channel.bounded(8);
            int producers = 3;
            int perProducer = 20_000;
            for (int p = 0; p < producers; p++) {
                long id = p;
                runtime.spawn(Task.loop(0, i -> i == perProducer
                        ? Task.completed(Step.<Integer, Void>done(null))
                        : channel.send(id << 32 | i).map(ignored -> Step.<Integer, Void>next(i + 1))));
            }
            long[] next = new long[producers];
            JoinHandle<Integer> consumer = runtime.spawn(Task.loop(0, count -> count == producers * perProducer
                    ? Task.completed(Step.<Integer, Integer>done(count))
                    : channel.recv().map(message -> {
                        long m = message.orElseThrow();
                        int producer = (int) (m >>> 32);
                        if ((m & 0xFFFF_FFFFL) != next[producer]) {
                            throw new AssertionError("producer " + producer + ": got " + (m & 0xFFFF_FFFFL)
                                    + ", expected " + next[producer]);
                        }
                        next[producer]++;
                        return Step.<Integer, Integer>next(count + 1);
                    })));
            assertThat(consumer.get(30, TimeUnit.SECONDS)).isEqualTo(producers * perProducer);
        }
    }

    @Test
    void producersSeeTheConsumerCloseTheChannel() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> channel = Channel.bounded(1);
            JoinHandle<Void> watcher = runtime.spawn(channel.closed());
            JoinHandle<Void> blocked = runtime.spawn(channel.send(1).flatMap(ignored -> channel.send(2)));
            JoinHandle<Optional<Integer>> consumer = runtime.spawn(channel.recv().map(first -> {
                channel.close();
                return first;
            }));
            assertThat(consumer.get(10, TimeUnit.SECONDS)).contains(1);
            watcher.get(10, TimeUnit.SECONDS);
            // The second send either got in before the close (and is drained below) or failed.
            try {
                blocked.get(10, TimeUnit.SECONDS);
                assertThat(runtime.blockOn(channel.recv())).contains(2);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(ChannelClosedException.class);
            }
            assertThat(runtime.blockOn(channel.recv())).isEmpty();
        }
    }

    @Test
    void blockOnSendsAndReceivesFromAPlainThread() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Channel<String> requests = Channel.bounded(1);
            Channel<String> replies = Channel.bounded(1);
            runtime.spawn(requests.recv().flatMap(r -> replies.send(r.orElseThrow() + " pong")));
            runtime.blockOn(requests.send("ping"));
            assertThat(runtime.blockOn(replies.recv())).contains("ping pong");
        }
    }
}

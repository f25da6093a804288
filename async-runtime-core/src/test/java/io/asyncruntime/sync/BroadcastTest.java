package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastTest {

    @Test
    void badInputFailsClearly() {
        assertThatThrownBy(() -> new Broadcast<>(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be in [1, 1073741824], was 0");
        Broadcast<String> channel = new Broadcast<>(2);
        assertThatThrownBy(() -> channel.send(null)).isInstanceOf(NullPointerException.class);
        Broadcast.Receiver<String> receiver = channel.subscribe();
        receiver.close();
        assertThatThrownBy(receiver::recv).isInstanceOf(IllegalStateException.class)
                .hasMessage("this Broadcast receiver was closed");
    }

    @Test
    void everyReceiverGetsEveryValueSentAfterItSubscribed() {
        Broadcast<Integer> channel = new Broadcast<>(8);
        assertThat(channel.send(0)).as("no receivers yet").isZero();
        Broadcast.Receiver<Integer> a = channel.subscribe();
        Broadcast.Receiver<Integer> b = channel.subscribe();
        assertThat(channel.send(1)).isEqualTo(2);
        channel.send(2);
        assertThat(a.tryRecv()).contains(1);
        assertThat(a.tryRecv()).contains(2);
        assertThat(a.tryRecv()).isEmpty();
        assertThat(b.tryRecv()).contains(1);
        b.close();
        assertThat(channel.receiverCount()).isEqualTo(1);
    }

    @Test
    void aSlowReceiverIsToldHowManyItMissedThenContinuesWithTheOldestKept() {
        Broadcast<Integer> channel = new Broadcast<>(3);
        Broadcast.Receiver<Integer> slow = channel.subscribe();
        for (int i = 0; i < 7; i++) {
            channel.send(i);
        }
        assertThatThrownBy(slow::tryRecv).isInstanceOfSatisfying(LaggedException.class,
                lagged -> assertThat(lagged.missed()).isEqualTo(4));
        assertThat(slow.tryRecv()).contains(4);
        assertThat(slow.tryRecv()).contains(5);
        assertThat(slow.tryRecv()).contains(6);
        assertThat(slow.tryRecv()).isEmpty();
        TestContext cx = new TestContext();
        for (int i = 7; i < 12; i++) {
            channel.send(i);
        }
        assertThatThrownBy(() -> cx.poll(slow.recv())).isInstanceOf(LaggedException.class)
                .hasMessage("the receiver fell behind and missed 2 values");
        assertThat(cx.poll(slow.recv()).value()).isEqualTo(9);
    }

    @Test
    void aWaitingReceiverIsWokenBySend() {
        Broadcast<String> channel = new Broadcast<>(4);
        Broadcast.Receiver<String> receiver = channel.subscribe();
        TestContext cx = new TestContext();
        Task<String> recv = receiver.recv();
        assertThat(cx.poll(recv).isPending()).isTrue();
        channel.send("hi");
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThat(cx.poll(recv).value()).isEqualTo("hi");
    }

    @Test
    void aCancelledRecvMovesNoCursorAndLeavesNothingRegistered() {
        Broadcast<String> channel = new Broadcast<>(4);
        Broadcast.Receiver<String> receiver = channel.subscribe();
        TestContext cx = new TestContext();
        Task<String> recv = receiver.recv();
        cx.poll(recv);
        recv.cancel();
        channel.send("kept");
        assertThat(cx.wakes.get()).isZero();
        assertThat(receiver.tryRecv()).contains("kept");
    }

    @Test
    void closeLetsReceiversDrainThenFails() {
        Broadcast<Integer> channel = new Broadcast<>(4);
        Broadcast.Receiver<Integer> receiver = channel.subscribe();
        channel.send(1);
        TestContext waiterCx = new TestContext();
        Broadcast.Receiver<Integer> idle = channel.subscribe();
        idle.tryRecv();
        Task<Integer> waiting = idle.recv();
        waiterCx.poll(waiting);
        channel.close();
        assertThat(waiterCx.wakes.get()).isEqualTo(1);
        assertThatThrownBy(() -> waiterCx.poll(waiting)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> channel.send(2)).isInstanceOf(ChannelClosedException.class)
                .hasMessage("send on a closed Broadcast");
        assertThat(new TestContext().poll(receiver.recv()).value()).isEqualTo(1);
        assertThatThrownBy(receiver::tryRecv).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void fanOutToManyTasksOnARealRuntime() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            int values = 5_000;
            // A ring as large as the run: senders never wait for receivers (that is the design),
            // so on a loaded machine a smaller ring could lag, which has its own test above.
            Broadcast<Integer> channel = new Broadcast<>(values);
            List<JoinHandle<Long>> receivers = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                Broadcast.Receiver<Integer> receiver = channel.subscribe();
                receivers.add(runtime.spawn(Task.loop(new long[] {0, 0}, state -> receiver.recv()
                        .map(v -> {
                            state[0] += v;
                            state[1]++;
                            return state[1] == values ? Step.<long[], Long>done(state[0]) : Step.<long[], Long>next(state);
                        }))));
            }
            JoinHandle<Void> sender = runtime.spawn(Task.loop(0, i -> {
                if (i == values) {
                    return Task.completed(Step.<Integer, Void>done(null));
                }
                channel.send(i);
                return (i % 50 == 0 ? Task.yieldNow() : Task.<Void>completed(null)).map(v -> Step.<Integer, Void>next(i + 1));
            }));
            sender.get(30, TimeUnit.SECONDS);
            long expected = (long) values * (values - 1) / 2;
            for (JoinHandle<Long> receiver : receivers) {
                assertThat(receiver.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
            }
        }
    }
}

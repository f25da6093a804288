package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OneshotTest {

    @Test
    void badInputAndMisuseFailClearly() {
        Oneshot<String> oneshot = new Oneshot<>();
        assertThatThrownBy(() -> oneshot.send(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("value must not be null");
        assertThat(oneshot.send("once")).isTrue();
        assertThatThrownBy(() -> oneshot.send("twice")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a Oneshot sends one value, and one was already sent");
        assertThat(oneshot.tryRecv()).contains("once");
        assertThatThrownBy(oneshot::tryRecv).isInstanceOf(IllegalStateException.class)
                .hasMessage("the Oneshot's value was already received");
        assertThatThrownBy(() -> new TestContext().poll(oneshot.recv())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void useAfterCloseFailsClearly() {
        Oneshot<String> oneshot = new Oneshot<>();
        oneshot.close();
        assertThat(oneshot.isClosed()).isTrue();
        assertThat(oneshot.send("late")).as("nobody will receive it").isFalse();
        assertThatThrownBy(oneshot::tryRecv).isInstanceOf(ChannelClosedException.class)
                .hasMessage("the Oneshot was closed without a value");
        assertThatThrownBy(() -> new TestContext().poll(oneshot.recv())).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void aValueSentBeforeCloseIsStillReceived() {
        Oneshot<String> oneshot = new Oneshot<>();
        oneshot.send("kept");
        oneshot.close();
        assertThat(new TestContext().poll(oneshot.recv()).value()).isEqualTo("kept");
    }

    @Test
    void recvWaitsAndIsWokenBySend() {
        Oneshot<Integer> oneshot = new Oneshot<>();
        TestContext cx = new TestContext();
        Task<Integer> recv = oneshot.recv();
        assertThat(cx.poll(recv).isPending()).isTrue();
        assertThat(oneshot.tryRecv()).isEmpty();
        oneshot.send(42);
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThat(cx.poll(recv).value()).isEqualTo(42);
    }

    @Test
    void closeWakesAWaitingReceiverWhichThenFails() {
        Oneshot<Integer> oneshot = new Oneshot<>();
        TestContext cx = new TestContext();
        Task<Integer> recv = oneshot.recv();
        cx.poll(recv);
        oneshot.close();
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThatThrownBy(() -> cx.poll(recv)).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void aReceiverPolledWithANewWakerIsWokenThroughIt() {
        Oneshot<Integer> oneshot = new Oneshot<>();
        TestContext first = new TestContext();
        TestContext second = new TestContext();
        Task<Integer> recv = oneshot.recv();
        first.poll(recv);
        second.poll(recv);
        oneshot.send(1);
        assertThat(first.wakes.get()).isZero();
        assertThat(second.wakes.get()).isEqualTo(1);
    }

    @Test
    void aCancelledRecvTakesNothingAndLeavesNothingRegistered() {
        Oneshot<Integer> oneshot = new Oneshot<>();
        TestContext cx = new TestContext();
        Task<Integer> recv = oneshot.recv();
        cx.poll(recv);
        recv.cancel();
        oneshot.send(7);
        assertThat(cx.wakes.get()).as("the cancelled recv's waker is gone").isZero();
        assertThat(new TestContext().poll(oneshot.recv()).value()).isEqualTo(7);
    }

    @Test
    void aRecvWithoutBudgetLeavesTheValue() {
        Oneshot<Integer> oneshot = new Oneshot<>();
        oneshot.send(3);
        TestContext cx = new TestContext(0);
        Task<Integer> recv = oneshot.recv();
        assertThat(cx.poll(recv).isPending()).isTrue();
        cx.refill(1);
        assertThat(cx.poll(recv).value()).isEqualTo(3);
    }

    @Test
    void requestReplyOnARealRuntime() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Oneshot<Integer>> requests = Channel.bounded(16);
            // A server task answers each request with a counter.
            runtime.spawn(Task.loop(0, n -> requests.recv().map(request -> {
                if (request.isEmpty()) {
                    return io.asyncruntime.task.Step.<Integer, Void>done(null);
                }
                request.get().send(n);
                return io.asyncruntime.task.Step.<Integer, Void>next(n + 1);
            })));
            List<JoinHandle<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Oneshot<Integer> reply = new Oneshot<>();
                clients.add(runtime.spawn(requests.send(reply).flatMap(sent -> reply.recv())));
            }
            List<Integer> answers = new ArrayList<>();
            for (JoinHandle<Integer> client : clients) {
                answers.add(client.get(10, TimeUnit.SECONDS));
            }
            assertThat(answers).doesNotHaveDuplicates().hasSize(200);
            requests.close();
        }
    }

    @Test
    void aTimedOutReceiverClosesAndTheLateSenderSeesIt() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Oneshot<String> reply = new Oneshot<>();
            JoinHandle<String> waiter = runtime.spawn(Time.timeout(Duration.ofMillis(5), reply.recv())
                    .recover(timedOut -> {
                        reply.close();
                        return "gave up";
                    }));
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("gave up");
            assertThat(reply.send("too late")).isFalse();
        }
    }

    @Test
    void closingFailsATaskWaitingOnARealRuntime() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Oneshot<String> reply = new Oneshot<>();
            JoinHandle<String> waiter = runtime.spawn(reply.recv());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reply.toString().equals("Oneshot[empty]")
                    && waiter.toString().contains("idle"));
            reply.close();
            assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ChannelClosedException.class);
        }
    }
}

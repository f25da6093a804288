package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11 (chan11k): the receiver a send wakes goes to the back of the sender's worker's ring
 * while another worker is parked or searching, so that worker runs it beside the sender; with
 * every worker busy it goes to the LIFO slot as other wakes do (from the ring it would wait
 * behind the queued senders while the channel fills).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelReceiverWakesToIdleWorkerTest {

    /**
     * Two workers, the stall detector off (so nothing but the ring lets the idle worker take the
     * receiver). The sender's poll sends one message to the waiting receiver and then waits,
     * bounded, for the receiver to have run. The idle worker is notified and runs the receiver
     * beside the sender's poll; a wake into the sender's LIFO slot would run it only after that
     * poll (on main 0214452 the wait times out).
     */
    @Test
    void aReceiverWokenByASendRunsBesideTheSendersPollOnTheIdleWorker() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).stallThreshold(Duration.ZERO).build()) {
            Channel<Integer> channel = Channel.bounded(4);
            JoinHandle<Optional<Integer>> receiver = runtime.spawn(channel.recv().map(message -> {
                received.countDown();
                return message;
            }));
            awaitReceiverWaiting(channel);
            // The receiver's worker must have finished its poll: until it parks it is neither
            // parked nor searching, and a send then (the sender taken by the other worker) finds
            // no idle worker and uses the LIFO slot (review35 F1: the heuristic's gap, not a loss).
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> allWorkersParked(runtime));
            JoinHandle<Boolean> sender = runtime.spawn(new SendThenWaitFor(channel, received));
            assertThat(sender.get(30, TimeUnit.SECONDS)).as("the receiver ran while the sender's poll waited").isTrue();
            assertThat(receiver.get(10, TimeUnit.SECONDS)).contains(7);
        }
    }

    /**
     * One worker, so no other is parked or searching. The sender's poll spawns a task (into the
     * LIFO slot) and then sends to the waiting receiver: the woken receiver takes the slot (the
     * spawned task moves to the ring) and runs first. Woken to the ring (4ba5aee, the ring always)
     * it runs after the spawned task.
     */
    @Test
    void withNoIdleWorkerTheWokenReceiverRunsNextOnTheSendersWorker() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Channel<Integer> channel = Channel.bounded(4);
            JoinHandle<Optional<Integer>> receiver = runtime.spawn(channel.recv().map(message -> {
                order.add("received");
                return message;
            }));
            awaitReceiverWaiting(channel);
            JoinHandle<Void> sender = runtime.spawn(new Task<Void>() {
                private Task<Void> send;

                @Override
                public Poll<Void> poll(Context cx) throws Exception {
                    if (send == null) {
                        runtime.spawn(Task.call(() -> order.add("spawned")));
                        send = channel.send(7);
                    }
                    return send.poll(cx);
                }
            });
            sender.get(10, TimeUnit.SECONDS);
            assertThat(receiver.get(10, TimeUnit.SECONDS)).contains(7);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);
            assertThat(order).containsExactly("received", "spawned");
        }
    }

    /** Whether every worker of {@code runtime} is parked (its scheduler's idle state, read by reflection). */
    private static boolean allWorkersParked(AsyncRuntime runtime) throws ReflectiveOperationException {
        Field schedulerField = AsyncRuntime.class.getDeclaredField("scheduler");
        schedulerField.setAccessible(true);
        Object scheduler = schedulerField.get(runtime);
        Method idleMethod = scheduler.getClass().getDeclaredMethod("idle");
        idleMethod.setAccessible(true);
        Object idle = idleMethod.invoke(scheduler);
        Method allParked = idle.getClass().getDeclaredMethod("allParked");
        allParked.setAccessible(true);
        return (boolean) allParked.invoke(idle);
    }

    private static void awaitReceiverWaiting(Channel<?> channel) {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Channel.RX_WAKER.getVolatile(channel) != null);
    }

    /** In one poll: sends one message (the channel has room), then waits up to 5 s for {@code received}. */
    private static final class SendThenWaitFor implements Task<Boolean> {
        private final Channel<Integer> channel;
        private final CountDownLatch received;

        SendThenWaitFor(Channel<Integer> channel, CountDownLatch received) {
            this.channel = channel;
            this.received = received;
        }

        @Override
        public Poll<Boolean> poll(Context cx) throws Exception {
            assertThat(channel.send(7).poll(cx).isReady()).isTrue();
            return Poll.ready(received.await(5, TimeUnit.SECONDS));
        }
    }
}

package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review30: what a throwing waker does to the batched hand-over of freed room (chan11g). A waker
 * may throw (a user combinator's context, as in review27's F2); the damage must stay with its own
 * task, not strand others or leak room.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelReview30ThrowingWakerTest {

    /** The waiting send polled with it wakes by throwing. */
    private static final Context THROWING_WAKER = new ThrowingWakerContext("user waker throws");

    /**
     * F1: two waiting sends, the head one's waker throws. The receiver frees two slots in one poll
     * (a consumer loop does): the batch grants both sends, the first wake throws, and the second
     * send, granted its room, is never woken. On main each take granted one send and the throw
     * came before the second was granted, so it stayed in the queue and the next freed slot woke it.
     * Here it holds a slot for ever and never completes.
     */
    @Test
    void aThrowingWakerInABatchDoesNotStrandTheSendGrantedWithIt() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> channel = Channel.bounded(4); // grant batch 2
            for (int i = 0; i < 4; i++) {
                assertThat(channel.trySend(i)).isTrue();
            }
            assertThat(channel.send(100).poll(THROWING_WAKER).isPending()).isTrue(); // head of the queue
            JoinHandle<Void> second = runtime.spawn(channel.send(101));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.permits.waiterCount() == 2);

            JoinHandle<Void> consumer = runtime.spawn(new Task<Void>() {
                @Override
                public Poll<Void> poll(Context cx) throws Exception {
                    for (int i = 0; i < 2; i++) { // two messages in one poll, as a receive loop takes them
                        assertThat(channel.recv().poll(cx).isReady()).isTrue();
                    }
                    return Poll.ready(null);
                }
            });
            awaitResolved(consumer); // fails with the waker's exception, here and on main

            // Free more room from outside: the second send must get it (or already have it) and finish.
            while (channel.tryRecv().isPresent()) {
                // drain what is there
            }
            boolean finished;
            try {
                second.get(10, TimeUnit.SECONDS);
                finished = true;
            } catch (TimeoutException stranded) {
                finished = false;
            }
            assertThat(finished).as("the send granted in the same batch as the throwing waker's finishes").isTrue();
        }
    }

    /**
     * F2: the receiver's poll returns pending with a wait registered elsewhere (here a send on a
     * second, full channel), and its poll-end action (serving the first channel's waiting sends)
     * throws. chan11f fails the task for it, but the task's poll had returned normally: nobody
     * drops what it registered (TaskCell completes it with the failure without {@code cancel()},
     * unlike an abort). The dead send stays queued on the second channel, is granted that
     * channel's next free slot, and holds it for ever: the channel never drains after a close.
     * On main the throw came inside the receive's own poll, before the task waited elsewhere.
     */
    @Test
    void aPollEndActionThatThrowsAfterAPendingPollDoesNotLeakWhatThePollRegistered() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> first = Channel.bounded(4); // grant batch 2: one take is deferred
            for (int i = 0; i < 4; i++) {
                assertThat(first.trySend(i)).isTrue();
            }
            assertThat(first.send(100).poll(THROWING_WAKER).isPending()).isTrue();
            Channel<Integer> second = Channel.bounded(1);
            assertThat(second.trySend(0)).isTrue(); // full

            JoinHandle<Void> consumer = runtime.spawn(new Task<Void>() {
                private Task<Void> forward;

                @Override
                public Poll<Void> poll(Context cx) throws Exception {
                    if (forward == null) {
                        Poll<Optional<Integer>> got = first.recv().poll(cx); // deferred hand-over
                        assertThat(got.isReady()).isTrue();
                        forward = second.send(got.value().orElseThrow() + 1000);
                    }
                    return forward.poll(cx); // waits: the second channel is full
                }

                @Override
                public void cancel() {
                    if (forward != null) {
                        forward.cancel();
                    }
                }
            });
            // The consumer's poll ended and its action granted the throwing send (whatever became of the consumer).
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> first.permits.waiterCount() == 0);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> consumer.isDone()
                    || second.permits.waiterCount() == 1);

            assertThat(second.tryRecv()).contains(0); // frees the second channel's slot
            second.close();
            JoinHandle<Integer> drain = runtime.spawn(Task.loop(0, received -> second.recv().map(next -> next.isPresent()
                    ? Step.<Integer, Integer>next(received + 1) : Step.<Integer, Integer>done(received))));
            boolean drained;
            try {
                drain.get(10, TimeUnit.SECONDS);
                drained = true;
            } catch (TimeoutException leaked) {
                drained = false;
            }
            assertThat(drained).as("the second channel drains after close: no slot is held by a dead send").isTrue();
        }
    }

    private static void awaitResolved(JoinHandle<?> handle) throws Exception {
        try {
            handle.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            // resolved
        }
    }
}

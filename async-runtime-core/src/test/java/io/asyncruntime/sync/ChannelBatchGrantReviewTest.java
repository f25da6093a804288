package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review27: the receiver's deferred hand-over of freed room (chan11e) must not depend on the
 * receiver's poll ending soon, nor break the poll's own bookkeeping when it runs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelBatchGrantReviewTest {

    /**
     * A receiver takes one message (room below the batch: deferred to its poll end) and then, in
     * the same poll, blocks in {@code blockInPlace} until the waiting send has finished. Before the
     * batching the send was granted by the take itself; with the deferral the room is owed until a
     * poll end that only comes after the send finishes: a deadlock (bounded here by the get).
     */
    @Test
    void aReceiverThatBlocksInPlaceAfterATakeDoesNotStrandTheWaitingSend() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> channel = Channel.bounded(4); // grant batch 2: one take is deferred
            for (int i = 0; i < 4; i++) {
                assertThat(channel.trySend(i)).isTrue();
            }
            JoinHandle<Void> send = runtime.spawn(channel.send(100));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.permits.waiterCount() == 1);

            JoinHandle<Boolean> receiver = runtime.spawn(new Task<Boolean>() {
                private final Task<Optional<Integer>> recv = channel.recv();

                @Override
                public Poll<Boolean> poll(Context cx) throws Exception {
                    Poll<Optional<Integer>> got = recv.poll(cx);
                    assertThat(got.isReady()).isTrue();
                    boolean sendFinished = AsyncRuntime.blockInPlace(() -> {
                        try {
                            send.get(5, TimeUnit.SECONDS);
                            return true;
                        } catch (TimeoutException stranded) {
                            return false;
                        }
                    });
                    return Poll.ready(sendFinished);
                }
            });
            assertThat(receiver.get(20, TimeUnit.SECONDS))
                    .as("the waiting send got the freed room while the receiver blocked in place")
                    .isTrue();
        }
    }

    /**
     * A waiting send polled under a context whose waker throws (a user combinator's). The
     * receiver's poll-end action wakes it from {@code PollContext.leave()}, outside the poll's
     * try: the exception escapes {@code TaskCell.run}, the receiver is never completed and its
     * handle never resolves. On main the wake ran inside the receiver's poll and failed the
     * receiver. Either outcome here (value or failure) is fine; hanging is not.
     */
    @Test
    void aThrowingWakerRunAtPollEndDoesNotLeaveTheReceiverRunningForEver() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Channel<Integer> channel = Channel.bounded(4);
            for (int i = 0; i < 4; i++) {
                assertThat(channel.trySend(i)).isTrue();
            }
            Task<Void> send = channel.send(100);
            assertThat(send.poll(new ThrowingWakerContext("user waker throws")).isPending()).isTrue();

            JoinHandle<Optional<Integer>> receiver = runtime.spawn(channel.recv());
            boolean resolved;
            try {
                receiver.get(5, TimeUnit.SECONDS);
                resolved = true;
            } catch (ExecutionException failed) {
                resolved = true;
            } catch (TimeoutException hung) {
                resolved = false;
            }
            assertThat(resolved).as("the receiver's handle resolves").isTrue();
        }
    }
}

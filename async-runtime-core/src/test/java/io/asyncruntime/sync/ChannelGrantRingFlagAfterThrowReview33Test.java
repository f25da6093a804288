package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * review33 (guard, passes on chan11j): the ring flag of chan11i ({@code PollContext.wakesToRing})
 * is cleared when the grant's wake throws, both for the grant made in the poll (capacity 1,
 * OWED_NOW) and for the one made at the poll's end (capacity 4, OWED_LATER). Were it left set,
 * every later wake on that worker would skip the LIFO slot. One worker; after the throw, a task
 * spawns A then B in one poll: with the LIFO slot, B takes the slot (A moves to the ring) and B
 * runs first.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelGrantRingFlagAfterThrowReview33Test {

    private static final Context THROWING_WAKER = new ThrowingWakerContext("user waker throws");

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aThrowingGrantWakeLeavesLaterWakesOnTheWorkerInTheLifoSlot(int capacity) throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Channel<Integer> channel = Channel.bounded(capacity);
            for (int i = 0; i < capacity; i++) {
                assertThat(channel.trySend(i)).isTrue();
            }
            assertThat(channel.send(100).poll(THROWING_WAKER).isPending()).isTrue();
            assertThat(channel.permits.waiterCount()).isEqualTo(1);

            JoinHandle<Void> receiver = runtime.spawn(new Task<Void>() {
                @Override
                public Poll<Void> poll(Context cx) throws Exception {
                    assertThat(channel.recv().poll(cx).isReady()).isTrue(); // the grant's wake throws
                    return Poll.ready(null);
                }
            });
            try {
                receiver.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException expected) {
                assertThat(expected).hasRootCauseMessage("user waker throws");
            }

            JoinHandle<Void> spawner = runtime.spawn(new Task<Void>() {
                @Override
                public Poll<Void> poll(Context cx) {
                    runtime.spawn(Task.call(() -> order.add("A")));
                    runtime.spawn(Task.call(() -> order.add("B")));
                    return Poll.ready(null);
                }
            });
            spawner.get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);
            assertThat(order).as("B took the LIFO slot: the ring flag was cleared").containsExactly("B", "A");
        }
    }
}

package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review32: since {@code PollContext.leave} stores the last cell left only for a cell never linked,
 * a worker that keeps polling linked tasks (a task that yields, a busy server: it never parks)
 * keeps the last unlinked cell it completed, and so that task's result, reachable from its poll
 * context for as long as it stays busy. Before, the next poll's leave overwrote it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LastLeftRetentionTest {

    @Test
    void aBusyWorkerDoesNotKeepTheResultOfACompletedFirstPollTask() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        AtomicReference<WeakReference<Object>> payload = new AtomicReference<>();
        AtomicReference<JoinHandle<Object>> producer = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean spawned = new AtomicBoolean();
        AtomicLong spins = new AtomicLong();
        try {
            // Spawned from outside: linked when its worker takes it out of the inject queue.
            runtime.spawn(cx -> {
                if (!spawned.getAndSet(true)) {
                    // A worker's spawn that completes in its first poll: never linked.
                    producer.set(runtime.spawn((java.util.concurrent.Callable<Object>) () -> {
                        Object big = new byte[1 << 20];
                        payload.set(new WeakReference<>(big));
                        return big;
                    }, Priority.NORMAL));
                }
                if (stop.get()) {
                    return Poll.ready(null);
                }
                spins.incrementAndGet();
                cx.waker().wake(); // busy: back of the queue, the worker never parks
                return Poll.pending();
            }, Priority.NORMAL, "spinner");
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.get() != null && producer.get().isDone());
            producer.set(null); // drops the only handle
            long seen = spins.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> spins.get() > seen + 2); // later polls ran
            boolean cleared = false;
            for (int i = 0; i < 20 && !cleared; i++) {
                System.gc();
                cleared = payload.get().get() == null;
            }
            assertThat(cleared).as("the completed task's result is still reachable (from the worker's last cell left)")
                    .isTrue();
        } finally {
            stop.set(true);
            runtime.shutdownGracefully(Duration.ofMillis(500));
        }
    }
}

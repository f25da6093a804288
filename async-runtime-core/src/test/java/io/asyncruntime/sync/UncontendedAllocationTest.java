package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Poll;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * What an uncontended operation allocates, measured with the thread's allocation counter
 * ({@code com.sun.management.ThreadMXBean}) over many operations after a warm-up. The bounds are
 * the objects the API itself returns and nothing else: the task object an async method returns
 * (it is the operation's state; for a semaphore or mutex it is also the permit or guard), the
 * {@code Poll} that wraps a non-null result, and the {@code Optional} of a receive. Waiting (a
 * node in a wait queue) is not on these paths. A regression that adds a hidden allocation (a
 * lambda, a boxed value, a wait node allocated eagerly) fails here. Interpreted or C1-compiled code
 * allocates every object it creates, so these are upper bounds for what C2's escape analysis
 * leaves.
 */
class UncontendedAllocationTest {

    private static final int WARM_UP = 20_000;
    private static final int OPERATIONS = 100_000;
    /** Slack per operation for the counter's granularity; far below one object (16 bytes). */
    private static final double SLACK = 1.0;

    private final TestContext cx = new TestContext();

    @Test
    void trySendAndTryRecvOnABoundedChannelAllocateOnlyTheOptional() {
        Channel<Object> channel = Channel.bounded(16);
        Object message = new Object();
        double bytes = bytesPerOperation(() -> {
            channel.trySend(message);
            channel.tryRecv();
        });
        assertThat(bytes).as("trySend + tryRecv bytes").isLessThanOrEqualTo(16 + SLACK); // the Optional
    }

    @Test
    void sendAndRecvOnABoundedChannelAllocateTheirTasksAndTheResultOnly() {
        Channel<Object> channel = Channel.bounded(16);
        Object message = new Object();
        double bytes = bytesPerOperation(() -> {
            ready(cx.poll(channel.send(message)));
            ready(cx.poll(channel.recv()));
        });
        // send task 24 + recv task 16 + Optional 16 + Poll 16 (compressed references)
        assertThat(bytes).as("send + recv bytes").isLessThanOrEqualTo(72 + SLACK);
    }

    @Test
    void anUncontendedSemaphoreAcquireAllocatesThePermitAndItsPollOnly() {
        Semaphore semaphore = new Semaphore(4);
        double bytes = bytesPerOperation(() -> {
            Poll<Semaphore.Permit> polled = cx.poll(semaphore.acquire());
            ready(polled).close();
        });
        // the acquire task, which is the permit (32), and the Poll around it (16)
        assertThat(bytes).as("acquire + release bytes").isLessThanOrEqualTo(48 + SLACK);
    }

    @Test
    void tryAcquireAllocatesThePermitAndTheOptionalOnly() {
        Semaphore semaphore = new Semaphore(4);
        double bytes = bytesPerOperation(() -> semaphore.tryAcquire().orElseThrow().close());
        assertThat(bytes).as("tryAcquire + release bytes").isLessThanOrEqualTo(32 + 16 + SLACK);
    }

    @Test
    void anUncontendedMutexLockAllocatesTheGuardAndItsPollOnly() {
        Mutex<Integer> mutex = new Mutex<>(0);
        double bytes = bytesPerOperation(() -> {
            Poll<Mutex.Guard<Integer>> polled = cx.poll(mutex.lock());
            ready(polled).close();
        });
        // the lock task, which is the guard (32), and the Poll around it (16)
        assertThat(bytes).as("lock + unlock bytes").isLessThanOrEqualTo(48 + SLACK);
    }

    @Test
    void aNotifiedWithAStoredPermitAllocatesItsTaskOnly() {
        Notify notify = new Notify();
        double bytes = bytesPerOperation(() -> {
            notify.notifyOne();
            ready(cx.poll(notify.notified()));
        });
        // the wait task, which is also the wait-queue node it would need if it had to wait (48)
        assertThat(bytes).as("notifyOne + notified bytes").isLessThanOrEqualTo(48 + SLACK);
    }

    @Test
    void aBroadcastSendAllocatesNothingAndATryRecvOnlyItsOptional() {
        Broadcast<Object> channel = new Broadcast<>(16);
        Broadcast.Receiver<Object> receiver = channel.subscribe();
        Object message = new Object();
        double bytes = bytesPerOperation(() -> {
            channel.send(message);
            receiver.tryRecv();
        });
        assertThat(bytes).as("send + tryRecv bytes").isLessThanOrEqualTo(16 + SLACK);
    }

    private static <T> T ready(Poll<T> polled) {
        if (polled.isPending()) {
            throw new AssertionError("an uncontended operation was pending");
        }
        return polled.value();
    }

    private static double bytesPerOperation(Runnable operation) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP; i++) {
            operation.run();
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < OPERATIONS; i++) {
            operation.run();
        }
        long after = threads.getThreadAllocatedBytes(thread);
        return (after - before) / (double) OPERATIONS;
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15 (the handle's {@code Future} side, now in {@code AwaitableCell}; the defect
 * predates the fix): {@code Future.cancel} promises "after this method returns, subsequent calls to
 * {@code isDone()} will always return true; subsequent calls to {@code isCancelled()} will always
 * return true if this method returned true". {@code AwaitableCell.cancel} returns {@code true} for
 * a task that is being polled, which only marks it CANCELLED: the handle is not done until the poll
 * returns, and if that poll is ready the value wins and {@code isCancelled()} stays false.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FutureCancelContractTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Ready with "value" at its first poll, but only once released: a poll in progress. */
    private static final class SlowPoll implements Task<String> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Poll<String> poll(Context cx) throws Exception {
            entered.countDown();
            release.await(20, TimeUnit.SECONDS);
            return Poll.ready("value");
        }
    }

    @Test
    void cancelThatReturnsTrueMakesTheHandleDoneAndCancelled() throws Exception {
        SlowPoll task = new SlowPoll();
        JoinHandle<String> handle = runtime.spawn(task);
        assertThat(task.entered.await(10, TimeUnit.SECONDS)).isTrue();
        boolean cancelled = handle.cancel(true);
        boolean doneRightAfter = handle.isDone();
        task.release.countDown();
        try {
            handle.get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // cancelled, as cancel(true) == true promised
        }
        assertThat(cancelled).isTrue();
        assertThat(doneRightAfter).as("isDone() right after cancel(true) returned true").isTrue();
        assertThat(handle.isCancelled()).as("isCancelled() after cancel(true) returned true").isTrue();
    }
}

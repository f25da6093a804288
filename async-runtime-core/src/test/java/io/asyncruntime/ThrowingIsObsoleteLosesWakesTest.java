package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test (issue 15), found by review 15c of R4/the owner removal (suspected; the code is older than fix5): {@code Waiters.wakeEach}
 * contains a waker whose {@code wake()} throws ("the other waiters are still woken"), but calls
 * {@code isObsolete()} outside that guard. A foreign waker (an adapter's {@link Context}) whose
 * {@code isObsolete()} throws ends the delivery there: the older waiters of the handle, here a
 * task awaiting it, are never woken, and the exception escapes into whoever completed the handle.
 * {@code compactBelow} calls it unguarded too (a push or give-up on a long list then throws).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThrowingIsObsoleteLosesWakesTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2)
            .shutdownTimeout(Duration.ofMillis(100)).build();

    @AfterEach
    void close() {
        runtime.close();
    }


    @Test
    void aWakerWhoseIsObsoleteThrowsDoesNotKeepTheOtherAwaitersAsleep() throws Exception {
        JoinHandle<Void> awaited = runtime.spawn(Task.never());
        JoinHandle<Void> awaitsIt = runtime.spawn(awaited); // older registration
        IdleTasks.awaitIdle(Duration.ofSeconds(10), awaited, awaitsIt);
        Waker broken = new Waker() {
            @Override
            public void wake() {
            }

            @Override
            public boolean isObsolete() {
                throw new IllegalStateException("adapter bug");
            }
        };
        assertThat(awaited.poll(ForeignContext.withWaker(broken)).isReady()).isFalse(); // newer registration: woken first

        String abortOutcome;
        try {
            awaited.abort();
            abortOutcome = "returned";
        } catch (RuntimeException escaped) {
            abortOutcome = "threw " + escaped;
        }

        String awaitsItOutcome;
        try {
            awaitsIt.get(3, TimeUnit.SECONDS);
            awaitsItOutcome = "completed normally";
        } catch (TaskCancelledException | java.util.concurrent.ExecutionException expected) {
            awaitsItOutcome = "saw the cancellation";
        } catch (java.util.concurrent.TimeoutException stuck) {
            awaitsItOutcome = "never woken";
        }
        assertThat(awaitsItOutcome + "; abort() " + abortOutcome).startsWith("saw the cancellation; abort() returned");
    }
}

package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.asyncruntime.AsyncRuntime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review23 (close10, fc6751a): the drain now polls each finished member's handle, and a handle
 * whose task failed with an {@link Error} rethrows that Error from {@code poll} (TaskCell.rethrow),
 * which {@code discardFinishedOnceDone}'s {@code catch (Exception)} does not catch. So
 * {@code shutdown()} fails with the member's Error instead of discarding it, and the set is left
 * wedged: the entry is out of {@code finished} but still held (isEmpty stays false, a joinNext
 * waits forever), and {@code draining} is never decremented (every later spawn is aborted).
 * On 1e86649 (before the drain polled handles) shutdown() completed and the set was empty.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinSetShutdownRethrowsAMembersErrorTest {

    @Test
    void shutdownDiscardsAMemberThatFailedWithAnError() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("joinset-error").build()) {
            JoinSet<String> set = new JoinSet<>(runtime);
            JoinHandle<String> member = set.spawn(cx -> {
                throw new AssertionError("a member's error");
            });
            assertThatCode(() -> member.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

            JoinHandle<Void> drain = runtime.spawn(set.shutdown());
            assertThatCode(() -> drain.get(10, TimeUnit.SECONDS))
                    .as("shutdown() discards results, failures included").doesNotThrowAnyException();
            assertThat(set.isEmpty()).as("the drained set is empty").isTrue();
        }
    }

    @Test
    void aSetWhoseShutdownMetAMembersErrorStillJoinsNewTasks() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("joinset-error2").build()) {
            JoinSet<String> set = new JoinSet<>(runtime);
            JoinHandle<String> member = set.spawn(cx -> {
                throw new AssertionError("a member's error");
            });
            assertThatCode(() -> member.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            try {
                runtime.spawn(set.shutdown()).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException expectedOnTheDefect) {
                // the drain failed with the member's Error (the first test's finding)
            }
            // A later spawn: the drain is over (done or failed), so it must run, not be aborted.
            // It waits for a gate opened only after spawn() returned, so an abort by spawn() is seen.
            AtomicBoolean open = new AtomicBoolean();
            AtomicReference<Waker> parked = new AtomicReference<>();
            JoinHandle<String> later = set.spawn(cx -> {
                if (open.get()) {
                    return Poll.ready("later");
                }
                parked.set(cx.waker());
                return open.get() ? Poll.ready("later") : Poll.pending();
            });
            open.set(true);
            Waker waker = parked.get();
            if (waker != null) {
                waker.wake();
            }
            assertThatCode(() -> later.get(10, TimeUnit.SECONDS)).as("a spawn after the drain ended is not aborted")
                    .doesNotThrowAnyException();
        }
    }

    /**
     * The same Error through {@code joinNext()}: it reaches the joiner, and the entry leaves the
     * set (before, {@code JoinNext.poll} caught only Exception, so the entry stayed held and a
     * later {@code shutdown()} never completed).
     */
    @Test
    void joinNextThatMetAMembersErrorReleasesItsEntry() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("joinset-error3").build()) {
            JoinSet<String> set = new JoinSet<>(runtime);
            JoinHandle<String> member = set.spawn(cx -> {
                throw new AssertionError("a member's error");
            });
            assertThatCode(() -> member.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

            assertThatCode(() -> runtime.spawn(set.joinNext()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCauseMessage("a member's error");
            assertThat(set.isEmpty()).as("the joined entry left the set").isTrue();
            assertThatCode(() -> runtime.spawn(set.shutdown()).get(10, TimeUnit.SECONDS)).doesNotThrowAnyException();
        }
    }
}

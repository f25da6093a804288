package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review30 F2: a poll-end action (see {@link PollEndDeferral}) that throws fails its task. If the
 * poll had returned pending, the task is alive and holds what it registered, so it is dropped
 * ({@code cancel()}, once) before it fails; if the poll threw or returned ready, it has finished
 * and {@code cancel()} is not called (Task.cancel's contract).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskCellPollEndActionThrowsTest {

    private static final Runnable THROWS = () -> {
        throw new IllegalStateException("poll-end action throws");
    };

    /** A task whose one poll defers a throwing action, then ends as {@code outcome} says. */
    private static final class DefersAThrowingAction implements Task<String> {
        final AtomicInteger cancels = new AtomicInteger();
        private final String outcome;

        DefersAThrowingAction(String outcome) {
            this.outcome = outcome;
        }

        @Override
        public Poll<String> poll(Context cx) throws Exception {
            assertThat(((PollEndDeferral) cx).runAtPollEnd(THROWS)).isTrue();
            switch (outcome) {
                case "pending":
                    return Poll.pending(); // nothing wakes it: only the drop ends it
                case "ready":
                    return Poll.ready("done");
                default:
                    throw new IllegalArgumentException("the poll throws");
            }
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    private static Throwable failureOf(JoinHandle<String> handle) {
        Throwable failed = catchThrowable(() -> handle.get(10, TimeUnit.SECONDS));
        assertThat(failed).isInstanceOf(ExecutionException.class);
        return failed.getCause();
    }

    @Test
    void afterAPendingPollTheTaskIsDroppedThenFailsWithTheActionsException() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            DefersAThrowingAction task = new DefersAThrowingAction("pending");
            Throwable cause = failureOf(runtime.spawn(task));
            assertThat(cause).isInstanceOf(IllegalStateException.class).hasMessage("poll-end action throws");
            assertThat(task.cancels.get()).as("what the pending poll registered is released").isEqualTo(1);
        }
    }

    @Test
    void afterAReadyPollTheFinishedTaskIsNotCancelled() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            DefersAThrowingAction task = new DefersAThrowingAction("ready");
            assertThat(failureOf(runtime.spawn(task))).hasMessage("poll-end action throws");
            assertThat(task.cancels.get()).isZero();
        }
    }

    @Test
    void afterAPollThatThrewTheFinishedTaskIsNotCancelledAndKeepsItsOwnFailure() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            DefersAThrowingAction task = new DefersAThrowingAction("throws");
            Throwable cause = failureOf(runtime.spawn(task));
            assertThat(cause).isInstanceOf(IllegalArgumentException.class).hasMessage("the poll throws");
            assertThat(cause.getSuppressed()).singleElement().satisfies(s -> assertThat(s).hasMessage("poll-end action throws"));
            assertThat(task.cancels.get()).isZero();
        }
    }
}

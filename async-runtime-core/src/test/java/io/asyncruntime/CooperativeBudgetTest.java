package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CooperativeBudgetTest {

    @Test
    void aTaskThatAlwaysFindsReadyWorkCannotStarveItsWorker() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            AtomicBoolean released = new AtomicBoolean();
            // Spins on ready work until another task on the same (only) worker releases it.
            JoinHandle<Long> spinner = runtime.spawn(Task.loop(0L, n -> released.get()
                    ? Task.completed(Step.<Long, Long>done(n))
                    : Task.completed(Step.<Long, Long>next(n + 1))));
            JoinHandle<Void> releaser = runtime.spawn(() -> released.set(true));
            releaser.get(30, TimeUnit.SECONDS);
            assertThat(spinner.get(30, TimeUnit.SECONDS)).isPositive();
            assertThat(runtime.metrics().budgetForcedYields()).isPositive();
        }
    }

    @Test
    void awaitingReadyHandlesInALoopAlsoSpendsBudget() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            JoinHandle<Integer> done = runtime.spawn(() -> 1);
            done.get(30, TimeUnit.SECONDS);
            AtomicBoolean released = new AtomicBoolean();
            JoinHandle<Long> spinner = runtime.spawn(Task.loop(0L, n -> released.get()
                    ? Task.completed(Step.<Long, Long>done(n))
                    : done.map(v -> Step.<Long, Long>next(n + v))));
            runtime.spawn(() -> released.set(true)).get(30, TimeUnit.SECONDS);
            assertThat(spinner.get(30, TimeUnit.SECONDS)).isPositive();
        }
    }
}

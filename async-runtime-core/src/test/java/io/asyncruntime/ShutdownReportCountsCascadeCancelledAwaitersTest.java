package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test (issue 10, perf10b): the shutdown report's split disagreed with the handles.
 * The abort walk counted as aborted only the tasks it cancelled itself; a task awaiting an aborted
 * task, woken by that cancellation and polled by a worker before the walk reached it, failed with
 * the awaited task's {@code TaskCancelledException} (its handle throws it) but was counted as
 * "completed". GracefulShutdownTest's no-loss test failed that way under load. The split now
 * follows the outcomes: whatever ends cancelled from the abort on counts as aborted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownReportCountsCascadeCancelledAwaitersTest {

    @Test
    void awaitersCancelledByTheAbortOfWhatTheyAwaitCountAsAborted() throws Exception {
        for (int round = 0; round < 5; round++) {
            AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
            AtomicInteger polled = new AtomicInteger();
            List<JoinHandle<?>> handles = new ArrayList<>();
            List<JoinHandle<Object>> awaited = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                awaited.add(runtime.spawn(Task.run(polled::incrementAndGet).flatMap(v -> Task.never())));
            }
            handles.addAll(awaited);
            for (int i = 0; i < 4_000; i++) {
                JoinHandle<Object> target = awaited.get(i % awaited.size());
                handles.add(runtime.spawn(Task.run(polled::incrementAndGet).flatMap(v -> target)));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> polled.get() == handles.size());

            ShutdownReport report = runtime.shutdownGracefully(Duration.ZERO);

            long cancelled = 0;
            long other = 0;
            for (JoinHandle<?> handle : handles) {
                try {
                    handle.get(30, TimeUnit.SECONDS);
                    other++;
                } catch (TaskCancelledException e) {
                    cancelled++;
                } catch (ExecutionException e) {
                    other++;
                }
            }
            assertThat(cancelled).as("every task ends cancelled").isEqualTo(handles.size());
            assertThat(other).isZero();
            assertThat(report.liveAtStart()).isEqualTo(handles.size());
            assertThat(report.aborted()).as("round %d: %s", round, report).isEqualTo(cancelled);
            assertThat(report.completed()).as("round %d: %s", round, report).isZero();
        }
    }
}

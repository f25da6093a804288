package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 10: {@code taskDump} lists each live task with its name, lane, state, age, polls and last poll. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDumpTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aDumpShowsTasksInEachState() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).shutdownTimeout(Duration.ofMillis(100)).build()) {
            CountDownLatch idlePolled = new CountDownLatch(1);
            JoinHandle<Object> idle = runtime.spawn(Task.run(idlePolled::countDown).flatMap(v -> Task.never()),
                    Priority.BACKGROUND, "idle-one");
            assertThat(idlePolled.await(10, TimeUnit.SECONDS)).isTrue();
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            JoinHandle<Void> runner = runtime.spawn(Task.run(() -> {
                running.countDown();
                awaitQuietly(release); // holds the only worker, so the next spawn stays queued
            }), Priority.HIGH, "running-one");
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            JoinHandle<String> queued = runtime.spawn(Task.completed("ran"), Priority.NORMAL, "queued-one");
            JoinHandle<String> abortedWhileQueued = runtime.spawn(Task.completed("never"), Priority.NORMAL, "aborted-one");
            abortedWhileQueued.abort();
            try {
                await().atMost(PATIENCE).until(() -> byName(runtime.taskDump()).get("idle-one").age().toMillis() >= 40);
                TaskDump dump = runtime.taskDump();
                assertThat(dump.liveTasks()).isEqualTo(4);
                assertThat(dump.truncated()).isFalse();
                Map<String, TaskDump.TaskInfo> tasks = byName(dump);
                assertThat(tasks).containsOnlyKeys("idle-one", "running-one", "queued-one", "aborted-one");

                TaskDump.TaskInfo idleInfo = tasks.get("idle-one");
                assertThat(idleInfo.state()).isEqualTo(TaskDump.State.IDLE);
                assertThat(idleInfo.priority()).isEqualTo(Priority.BACKGROUND);
                assertThat(idleInfo.polls()).isEqualTo(1);
                assertThat(idleInfo.sinceLastPoll()).isNotNull().isLessThanOrEqualTo(idleInfo.age());
                assertThat(idleInfo.age()).isGreaterThanOrEqualTo(Duration.ofMillis(40)).isLessThan(PATIENCE.plus(PATIENCE));
                assertThat(idleInfo.cancelRequested()).isFalse();

                TaskDump.TaskInfo runningInfo = tasks.get("running-one");
                assertThat(runningInfo.state()).isEqualTo(TaskDump.State.RUNNING);
                assertThat(runningInfo.priority()).isEqualTo(Priority.HIGH);
                assertThat(runningInfo.polls()).isEqualTo(1);
                assertThat(runningInfo.sinceLastPoll()).isNotNull();

                TaskDump.TaskInfo queuedInfo = tasks.get("queued-one");
                assertThat(queuedInfo.state()).isEqualTo(TaskDump.State.QUEUED);
                assertThat(queuedInfo.priority()).isEqualTo(Priority.NORMAL);
                assertThat(queuedInfo.polls()).isZero();
                assertThat(queuedInfo.sinceLastPoll()).as("never polled").isNull();
                assertThat(queuedInfo.cancelRequested()).isFalse();

                TaskDump.TaskInfo abortedInfo = tasks.get("aborted-one");
                assertThat(abortedInfo.state()).isEqualTo(TaskDump.State.QUEUED);
                assertThat(abortedInfo.cancelRequested()).as("cancelled when a worker takes it").isTrue();
            } finally {
                release.countDown();
            }
            assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            runner.get(10, TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> runtime.taskDump().liveTasks() == 1);
            assertThat(runtime.taskDump().tasks()).extracting(TaskDump.TaskInfo::name).containsExactly("idle-one");
            idle.abort();
            await().atMost(PATIENCE).until(() -> runtime.taskDump().liveTasks() == 0);
        }
    }

    @Test
    void aDumpIsCappedAndStillCountsEveryTask() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(100)).build()) {
            for (int i = 0; i < 5_000; i++) {
                runtime.spawn(Task.never());
            }
            TaskDump capped = runtime.taskDump(10);
            assertThat(capped.tasks()).hasSize(10);
            assertThat(capped.truncated()).isTrue();
            assertThat(capped.liveTasks()).isEqualTo(5_000);
            RuntimeMetrics.TaskRegistryMetrics registry = runtime.metrics().tasks();
            assertThat(registry.liveTasks()).isEqualTo(5_000);
            assertThat(registry.registered() - registry.deregistered()).isEqualTo(5_000);
            assertThat(registry.refusingSpawns()).isFalse();
            assertThat(runtime.taskDump().tasks()).hasSize(AsyncRuntime.DEFAULT_TASK_DUMP_LIMIT);
            assertThat(runtime.taskDump(0).tasks()).isEmpty();
            assertThat(runtime.taskDump(10_000).tasks()).hasSize(5_000);
            assertThat(runtime.taskDump(10_000).truncated()).isFalse();
            assertThatThrownBy(() -> runtime.taskDump(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("taskDump maxTasks must be 0 or more, got -1");
        }
    }

    @Test
    void finishedTasksLeaveTheRegistry() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            JoinHandle<Integer> last = null;
            for (int i = 0; i < 50_000; i++) {
                int value = i;
                last = runtime.spawn(() -> value);
            }
            assertThat(last.get(10, TimeUnit.SECONDS)).isEqualTo(49_999);
            JoinHandle<Integer> fromInside = runtime.spawn(() -> {
                for (int i = 0; i < 10_000; i++) {
                    AsyncRuntime.current().spawn(() -> 1);
                }
                return 0;
            });
            fromInside.get(10, TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> runtime.taskDump().liveTasks() == 0);
            assertThat(runtime.taskDump().tasks()).isEmpty();
            await().atMost(PATIENCE).until(() -> runtime.metrics().tasks().liveTasks() == 0);
            RuntimeMetrics.TaskRegistryMetrics registry = runtime.metrics().tasks();
            assertThat(registry.registered()).isGreaterThanOrEqualTo(60_001).isEqualTo(registry.deregistered());
        }
    }

    private static Map<String, TaskDump.TaskInfo> byName(TaskDump dump) {
        return dump.tasks().stream().collect(Collectors.toMap(TaskDump.TaskInfo::name, Function.identity()));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

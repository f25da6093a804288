package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskTrackerTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("tracker").build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void whenClosedAndEmptyWaitsForBothConditions() throws Exception {
        TaskTracker tracker = new TaskTracker();
        Probe<Integer> probe = new Probe<>();
        tracker.spawn(runtime, probe);
        Task<Void> done = tracker.whenClosedAndEmpty();
        ManualContext cx = new ManualContext();
        assertThat(done.poll(cx).isPending()).isTrue();
        assertThat(tracker.size()).isEqualTo(1);
        assertThat(tracker.close()).isTrue();
        assertThat(tracker.close()).as("already closed").isFalse();
        assertThat(done.poll(cx).isPending()).as("closed but not empty").isTrue();
        probe.complete(1);
        awaitWake(cx);
        assertThat(done.poll(cx).isReady()).isTrue();
        assertThat(tracker.isEmpty()).isTrue();
        assertThat(tracker).hasToString("TaskTracker[size=0, closed]");
    }

    @Test
    void anEmptyTrackerCompletesWhenClosedAndAReopenedOneDoesNot() throws Exception {
        TaskTracker tracker = new TaskTracker();
        ManualContext cx = new ManualContext();
        Task<Void> done = tracker.whenClosedAndEmpty();
        assertThat(done.poll(cx).isPending()).isTrue();
        tracker.close();
        assertThat(cx.wakes).hasValue(1);
        assertThat(done.poll(cx).isReady()).isTrue();
        assertThat(tracker.reopen()).isTrue();
        assertThat(tracker.whenClosedAndEmpty().poll(cx).isPending()).isTrue();
    }

    @Test
    void failedAbortedAndCancelledTasksAllUncount() throws Exception {
        TaskTracker tracker = new TaskTracker();
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        handles.add(tracker.spawn(runtime, Task.failed(new IOException("x"))));
        Probe<Integer> idle = new Probe<>();
        JoinHandle<Integer> aborted = tracker.spawn(runtime, idle);
        handles.add(tracker.spawn(runtime, Task.completed(2)));
        aborted.abort();
        Task<Integer> tracked = tracker.track(new Probe<>());
        tracked.cancel();
        tracker.close();
        runtime.blockOn(tracker.whenClosedAndEmpty());
        assertThat(tracker.size()).isZero();
        assertThat(idle.cancelled).isTrue();
    }

    @Test
    void aSpawnTheRuntimeRejectsIsNotCounted() {
        TaskTracker tracker = new TaskTracker();
        AsyncRuntime closed = AsyncRuntime.builder().workerThreads(1).build();
        closed.close();
        assertThatThrownBy(() -> tracker.spawn(closed, Task.completed(1))).isInstanceOf(IllegalStateException.class);
        assertThat(tracker.size()).isZero();
        assertThatThrownBy(() -> tracker.spawn(null, Task.completed(1))).isInstanceOf(NullPointerException.class)
                .hasMessage("spawner must not be null");
        assertThatThrownBy(() -> tracker.track(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("task must not be null");
    }

    @Test
    void aCancelledWaitLeavesNothingRegistered() throws Exception {
        TaskTracker tracker = new TaskTracker();
        tracker.track(new Probe<>());
        for (int i = 0; i < 10_000; i++) {
            Task<Void> wait = tracker.whenClosedAndEmpty();
            assertThat(wait.poll(new ManualContext()).isPending()).isTrue();
            wait.cancel();
        }
        assertThat(tracker.waitingTasks()).isZero();
    }

    @Test
    void tenThousandTasksOnTheRuntimeAreWaitedFor() throws Exception {
        TaskTracker tracker = new TaskTracker();
        for (int i = 0; i < 10_000; i++) {
            tracker.spawn(runtime, Task.yieldNow());
        }
        tracker.close();
        runtime.blockOn(tracker.whenClosedAndEmpty());
        assertThat(tracker.isEmpty()).isTrue();
    }

    private static void awaitWake(ManualContext cx) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> cx.wakes.get() > 0);
    }
}

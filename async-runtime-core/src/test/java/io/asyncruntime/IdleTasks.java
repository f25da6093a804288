package io.asyncruntime;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * Scaffolding for tests that need tasks parked idle — polled once, pending, waiting for a wake
 * that never comes — and chains of completion callbacks over them (the stage-callback delivery
 * tests of issue 15).
 */
final class IdleTasks {

    private IdleTasks() {
    }

    /** Whether the handle's task is idle: polled, pending and in no queue (its dump state). */
    static boolean isIdle(JoinHandle<?> handle) {
        return handle.toString().contains("idle");
    }

    /** Spawns {@code count} tasks that never finish; wait for them with {@link #awaitIdle}. */
    static List<JoinHandle<Void>> spawnNever(AsyncRuntime runtime, int count) {
        List<JoinHandle<Void>> handles = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            handles.add(runtime.spawn(Task.never()));
        }
        return handles;
    }

    /** Waits, at most {@code atMost}, until every one of {@code handles} is idle. */
    static void awaitIdle(Duration atMost, Collection<? extends JoinHandle<?>> handles) {
        Awaitility.await().atMost(atMost).until(() -> handles.stream().allMatch(IdleTasks::isIdle));
    }

    /** Waits, at most {@code atMost}, until every one of {@code handles} is idle. */
    static void awaitIdle(Duration atMost, JoinHandle<?>... handles) {
        awaitIdle(atMost, Arrays.asList(handles));
    }

    /**
     * Makes each link's completion abort the next: aborting the first then completes the whole
     * chain, link {@code i}'s callback nested {@code i} callbacks deep. The last link gets no
     * callback here.
     */
    static void abortNextOnCompletion(List<JoinHandle<Void>> chain) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            JoinHandle<Void> next = chain.get(i + 1);
            chain.get(i).whenComplete((v, e) -> next.abort());
        }
    }
}

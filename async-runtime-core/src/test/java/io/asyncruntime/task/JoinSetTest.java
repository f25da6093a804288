package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinSetTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("joinset").build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void joinNextTakesResultsInTheOrderTheTasksFinish() {
        try (JoinSet<String> set = new JoinSet<>(runtime)) {
            Probe<String> a = new Probe<>();
            Probe<String> b = new Probe<>();
            Probe<String> c = new Probe<>();
            JoinHandle<String> ha = set.spawn(a);
            JoinHandle<String> hb = set.spawn(b);
            JoinHandle<String> hc = set.spawn(c);
            assertThat(set.size()).isEqualTo(3);
            finish(b, hb, "b");
            finish(c, hc, "c");
            finish(a, ha, "a");
            List<String> order = new ArrayList<>();
            while (!set.isEmpty()) {
                order.add(runtime.blockOn(set.joinNext()));
            }
            assertThat(order).containsExactly("b", "c", "a");
        }
    }

    private static void finish(Probe<String> probe, JoinHandle<String> handle, String value) {
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.polls > 0);
        probe.complete(value);
        await().atMost(Duration.ofSeconds(10)).until(handle::isFinished);
    }

    @Test
    void aFailureOrAnAbortComesOutOfJoinNextAndTheSetGoesOn() {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            set.spawn(Task.failed(new IOException("disk")));
            assertThatThrownBy(() -> runtime.blockOn(set.joinNext())).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IOException.class);
            Probe<Integer> idle = new Probe<>();
            set.spawn(idle).abort();
            assertThatThrownBy(() -> runtime.blockOn(set.joinNext())).isInstanceOf(TaskCancelledException.class);
            set.spawn(Task.completed(3));
            assertThat(runtime.blockOn(set.joinNext())).isEqualTo(3);
            assertThat(set.isEmpty()).isTrue();
        }
    }

    @Test
    void joinNextOnAnEmptySetFailsClearly() {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            assertThatThrownBy(() -> runtime.blockOn(set.joinNext())).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("empty JoinSet");
        }
        assertThatThrownBy(() -> new JoinSet<>(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("spawner must not be null");
    }

    @Test
    void abortAllCancelsEveryTaskWhichStillReportsThroughJoinNext() {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            List<Probe<Integer>> probes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Probe<Integer> probe = new Probe<>();
                probes.add(probe);
                set.spawn(probe);
            }
            set.abortAll();
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> runtime.blockOn(set.joinNext())).isInstanceOf(TaskCancelledException.class);
            }
            assertThat(probes).allSatisfy(p -> assertThat(p.cancelled).isTrue());
        }
    }

    @Test
    void shutdownAbortsThenDrainsAndCloseAbortsWhatIsLeft() {
        JoinSet<Integer> set = new JoinSet<>(runtime);
        Probe<Integer> first = new Probe<>();
        set.spawn(first);
        set.spawn(Task.completed(1));
        runtime.blockOn(set.shutdown());
        assertThat(set.isEmpty()).isTrue();
        assertThat(first.cancelled).isTrue();

        Probe<Integer> second = new Probe<>();
        JoinHandle<Integer> handle = set.spawn(second);
        set.close();
        assertThat(set.isClosed()).isTrue();
        assertThatThrownBy(() -> runtime.blockOn(handle)).isInstanceOf(TaskCancelledException.class);
        assertThat(second.cancelled).isTrue();
        assertThatThrownBy(() -> set.spawn(Task.completed(2))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("JoinSet is closed");
    }

    @Test
    void aCancelledJoinNextLeavesNothingRegisteredAndTakesNoResult() {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            Probe<Integer> probe = new Probe<>();
            JoinHandle<Integer> handle = set.spawn(probe);
            String lost = runtime.blockOn(Task.<Integer, Integer, String>select(set.joinNext(), v -> "joined", Task.completed(0), v -> "other"));
            assertThat(lost).isEqualTo("other");
            Task<Integer> pending = set.joinNext();
            String yielded = runtime.blockOn(Task.<Integer, Void, String>select(pending, v -> "joined", Task.yieldNow(), v -> "yielded"));
            assertThat(yielded).isEqualTo("yielded");
            assertThat(set.waitingTasks()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> probe.polls > 0);
            probe.complete(7);
            await().atMost(Duration.ofSeconds(10)).until(handle::isFinished);
            assertThat(runtime.blockOn(set.joinNext())).as("the result was not taken by the abandoned join").isEqualTo(7);
        }
    }

    @Test
    void severalTasksJoiningAtOnceEachTakeDistinctResults() throws Exception {
        int tasks = 2_000;
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            for (int i = 0; i < tasks; i++) {
                int value = i;
                set.spawn(Task.yieldNow().map(v -> value));
            }
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            List<JoinHandle<Integer>> joiners = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                joiners.add(runtime.spawn(Task.loop(0, n -> set.isEmpty()
                        ? Task.completed(Step.done(n))
                        : set.joinNext().recover(e -> e instanceof NoSuchElementException ? -1 : -2).map(v -> {
                            if (v >= 0 && !seen.add(v)) {
                                throw new AssertionError("result " + v + " joined twice");
                            }
                            return Step.next(v >= 0 ? n + 1 : n);
                        }))));
            }
            int joined = 0;
            for (JoinHandle<Integer> joiner : joiners) {
                joined += joiner.get(30, TimeUnit.SECONDS);
            }
            assertThat(joined).isEqualTo(tasks);
            assertThat(seen).hasSize(tasks);
        }
    }

    @Test
    void aTaskThatSpawnsIntoTheSetAndFinishesLeavesItsTasksJoinableByAnother() throws Exception {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            Probe<Integer> slow = new Probe<>();
            runtime.spawn(Task.call(() -> set.spawn(slow))).get(10, TimeUnit.SECONDS); // the spawner is gone
            JoinHandle<Integer> joiner = runtime.spawn(set.joinNext());
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.polls > 0 && set.waitingTasks() == 1);
            slow.complete(11);
            assertThat(joiner.get(10, TimeUnit.SECONDS)).isEqualTo(11);
        }
    }

    @Test
    void aJoinCancelledWhileItsTaskIsStillCompletingGivesTheResultBack() throws Exception {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            set.spawn(Task.completed(5));
            Task<Integer> join = set.joinNext();
            ManualContext starved = new ManualContext(0); // no budget: the join takes its entry and must yield
            await().atMost(Duration.ofSeconds(10)).until(() -> join.poll(starved).isPending() && starved.yieldRequests > 0);
            join.cancel();
            assertThat(runtime.blockOn(set.joinNext())).isEqualTo(5);
        }
    }

    @Test
    void joinAllCollectsEveryValue() {
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            for (int i = 0; i < 100; i++) {
                set.spawn(Task.completed(i));
            }
            assertThat(new HashSet<>(runtime.blockOn(set.joinAll()))).hasSize(100);
            assertThat(set.isEmpty()).isTrue();
        }
    }
}

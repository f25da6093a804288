package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.LazyLinkStressFixture.FirstPollWaker;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lazy linking (lazy10, {@link LazyLink}, "Linked exactly once"): a cell is linked at its first
 * pending return by the thread still holding RUNNING, so a wake that lands during that first poll,
 * and the poll on another worker it leads to, come after the link and link nothing again. Bounded
 * stress on a real two-worker scheduler: each task's first poll hands its waker to a thread that
 * wakes it at once (racing the pending return) or wakes itself, and returns pending; its second
 * poll (on either worker: a wake from outside goes through the inject queue) returns pending for
 * good. Then every task is idle, and each is linked exactly once: the shards hold each cell once,
 * and as many links as tasks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LazyLinkExactlyOnceStressTest {

    private static final int ROUNDS = 10;
    private static final int TASKS = 5_000;

    @Test
    void aCellWokenDuringItsFirstPollIsLinkedOnce() throws Exception {
        LazyLinkStressFixture.roundsOnFreshSchedulers(ROUNDS, "lazy-once-", LazyLinkExactlyOnceStressTest::runRound);
    }

    private static void runRound(Scheduler scheduler, int round) throws Exception {
        try (FirstPollWaker wakes = FirstPollWaker.start("lazy-once-waker")) {
            List<JoinHandle<Void>> tasks = scheduler.spawn((Callable<List<JoinHandle<Void>>>) () -> {
                List<JoinHandle<Void>> spawned = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    boolean selfWake = (i + round) % 3 == 0;
                    spawned.add(scheduler.spawn(wakes.wokenInItsFirstPoll(selfWake), Priority.NORMAL, null));
                }
                return spawned;
            }, Priority.NORMAL, "spawner").get(30, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> wakes.secondPolls() == TASKS);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.idle().allParked());
            assertThat(tasks).noneMatch(JoinHandle::isDone);
            TaskRegistry registry = scheduler.registry();
            List<TaskCell<?>> linked = new ArrayList<>();
            int links = 0;
            for (TaskShard shard : registry.allShards()) {
                linked.addAll(List.of(shard.snapshotAll()));
                links += shard.linkedCount();
            }
            // The spawner is an outside spawn (linked, finished, maybe swept): at most one more link.
            assertThat(linked).hasSize(TASKS).doesNotHaveDuplicates();
            assertThat(links).isBetween(TASKS, TASKS + 1);
            assertThat(registry.liveTasksHint()).isEqualTo(TASKS);
        }
    }
}

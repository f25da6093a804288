package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
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

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        RegistryTestFixture.shutdown(scheduler);
    }

    @Test
    void aCellWokenDuringItsFirstPollIsLinkedOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            scheduler = RegistryTestFixture.startScheduler(2, "lazy-once-", round % 2 == 0);
            runRound(round);
            RegistryTestFixture.shutdown(scheduler);
            scheduler = null;
        }
    }

    private void runRound(int round) throws Exception {
        ConcurrentLinkedQueue<Waker> toWake = new ConcurrentLinkedQueue<>();
        AtomicInteger secondPolls = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread waker = new Thread(() -> {
            while (!stop.get()) {
                Waker w = toWake.poll();
                if (w != null) {
                    w.wake();
                } else {
                    Thread.onSpinWait();
                }
            }
        }, "lazy-once-waker");
        waker.start();
        try {
            List<JoinHandle<Void>> tasks = scheduler.spawn((Callable<List<JoinHandle<Void>>>) () -> {
                List<JoinHandle<Void>> spawned = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    boolean selfWake = (i + round) % 3 == 0;
                    spawned.add(scheduler.spawn(wokenInItsFirstPoll(toWake, secondPolls, selfWake), Priority.NORMAL, null));
                }
                return spawned;
            }, Priority.NORMAL, "spawner").get(30, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> secondPolls.get() == TASKS);
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
        } finally {
            stop.set(true);
            waker.join();
        }
    }

    /** First poll: woken (by itself, or raced by the waker thread), pending; second poll: pending for good. */
    private static Task<Void> wokenInItsFirstPoll(ConcurrentLinkedQueue<Waker> toWake, AtomicInteger secondPolls,
                                                  boolean selfWake) {
        int[] polls = {0};
        return cx -> {
            if (polls[0]++ == 0) {
                if (selfWake) {
                    cx.waker().wake();
                } else {
                    toWake.add(cx.waker());
                }
            } else if (polls[0] == 2) {
                secondPolls.incrementAndGet();
            }
            return Poll.pending();
        };
    }
}

package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.LazyLinkStressFixture.FirstPollWaker;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review31 (cell10: a spawn from outside joins lazy linking when a worker takes it out of the
 * inject queue): spawns from outside, from two threads at once, half of them idle after their
 * first poll and half complete in it. Each idle one's first poll is woken (by itself, or raced by
 * a waker thread) and returns pending, so its first pending return links it into its lane's
 * outside shard while the other worker may link a sibling into the same shard, and its second
 * poll (on either worker) links nothing again. Then, with every worker parked: the outside shards
 * hold each idle cell exactly once and nothing else (a cell that completed in its first poll was
 * never linked: no sweep could have hidden a link of it), the workers' shards hold nothing, and
 * the counts say exactly the idle ones are live. Bounded stress on a real two-worker scheduler.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutsideSpawnsLinkedExactlyOnceStressTest {

    private static final int ROUNDS = 6;
    private static final int PER_SPAWNER = 3_000;
    private static final int SPAWNERS = 2;

    @Test
    void spawnsFromOutsideAreLinkedOnceAtTheirFirstPendingReturnAndNeverIfTheyCompleteInIt() throws Exception {
        LazyLinkStressFixture.roundsOnFreshSchedulers(ROUNDS, "outside-once-",
                OutsideSpawnsLinkedExactlyOnceStressTest::runRound);
    }

    private static void runRound(Scheduler scheduler, int round) throws Exception {
        try (FirstPollWaker wakes = FirstPollWaker.start("outside-once-waker")) {
            List<List<JoinHandle<Void>>> idle = new ArrayList<>();
            List<List<JoinHandle<Void>>> ready = new ArrayList<>();
            List<Thread> spawners = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int s = 0; s < SPAWNERS; s++) {
                List<JoinHandle<Void>> myIdle = Collections.synchronizedList(new ArrayList<>());
                List<JoinHandle<Void>> myReady = Collections.synchronizedList(new ArrayList<>());
                idle.add(myIdle);
                ready.add(myReady);
                int seed = s + round;
                Thread spawner = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < PER_SPAWNER; i++) {
                        // Lanes vary so that several outside shards and inject queues take part.
                        Priority lane = Priority.values()[(i + seed) % Priority.values().length];
                        if ((i + seed) % 2 == 0) {
                            boolean selfWake = (i + seed) % 3 == 0;
                            myIdle.add(scheduler.spawn(wakes.wokenInItsFirstPoll(selfWake), lane, null));
                        } else {
                            myReady.add(scheduler.spawn((Runnable) () -> { }, lane, null));
                        }
                    }
                }, "outside-once-spawner-" + s);
                spawner.start();
                spawners.add(spawner);
            }
            go.countDown();
            for (Thread spawner : spawners) {
                spawner.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(spawner.isAlive()).isFalse();
            }
            int idleCount = idle.stream().mapToInt(List::size).sum();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> wakes.secondPolls() == idleCount);
            for (List<JoinHandle<Void>> handles : ready) {
                for (JoinHandle<Void> handle : handles) {
                    handle.get(30, TimeUnit.SECONDS);
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.idle().allParked());
            TaskRegistry registry = scheduler.registry();
            Set<TaskCell<?>> linked = Collections.newSetFromMap(new IdentityHashMap<>());
            int copied = 0;
            int links = 0;
            for (TaskShard shard : registry.remoteShards) {
                TaskCell<?>[] cells = shard.snapshotAll();
                copied += cells.length;
                linked.addAll(List.of(cells));
                links += shard.linkedCount();
            }
            int workerLinks = 0;
            for (TaskShard shard : registry.workerShards) {
                workerLinks += shard.linkedCount();
            }
            assertThat(copied).as("live cells copied from the outside shards").isEqualTo(idleCount);
            assertThat(linked).as("distinct live cells in the outside shards").hasSize(idleCount);
            for (List<JoinHandle<Void>> handles : idle) {
                for (JoinHandle<Void> handle : handles) {
                    assertThat(linked.contains((TaskCell<?>) handle)).isTrue();
                    assertThat(handle.isDone()).isFalse();
                }
            }
            // Exactly the idle ones: a completed cell never linked leaves nothing for a sweep to hide.
            assertThat(links).as("links in the outside shards").isEqualTo(idleCount);
            assertThat(workerLinks).as("links in the workers' shards").isZero();
            assertThat(registry.liveTasksHint()).isEqualTo(idleCount);
            InjectQueue[] inject = scheduler.injectQueues();
            long spawnsLinked = 0;
            long spawnCount = 0;
            for (InjectQueue queue : inject) {
                spawnsLinked += queue.spawnsLinked;
                spawnCount += queue.spawnCount();
            }
            assertThat(spawnCount).isEqualTo((long) SPAWNERS * PER_SPAWNER);
            assertThat(spawnsLinked).as("marks replaced, each once").isEqualTo(spawnCount);
        }
    }
}

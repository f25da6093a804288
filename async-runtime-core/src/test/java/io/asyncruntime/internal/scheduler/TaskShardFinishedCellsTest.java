package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cells completed by a thread other than their shard's owner leave the registry through the
 * shard's stack of finished cells (see {@link TaskShard}): they count as gone at once (metrics,
 * emptiness, counts), and they do not stay reachable. With no read of the registry and no further
 * spawn, the pushers themselves unlink them once about {@link TaskShard#DRAIN_AT} wait (and wait
 * for the lock to do so at {@link TaskShard#DRAIN_FORCED}), so a shard holds no more than about
 * that many finished cells (and their results) after a burst, whichever
 * way it was spawned: from outside (a shard with no owner, every completion pushes) or from a
 * worker (tasks the other worker steals and completes).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskShardFinishedCellsTest {

    private static final int TASKS = 5_000;
    /** DRAIN_FORCED, plus room for the pushers' racy count losing increments. */
    private static final int MOST_LEFT_LINKED = 2 * TaskShard.DRAIN_FORCED;

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        if (scheduler != null) {
            scheduler.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void cellsCompletedOffTheirOwnersShardAreUnlinkedWithoutAnyRead() throws Exception {
        scheduler = new Scheduler(new SchedulerConfig(2, "finished-cells-", 31, 61, true, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0), new ThreadParkDriver());
        scheduler.start();
        TaskRegistry registry = scheduler.registry();

        // From outside: every cell lands in an outside spawner's shard and is completed by a worker.
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            int value = i;
            handles.add(scheduler.spawn(() -> value, Priority.NORMAL, null));
        }
        for (int i = 0; i < TASKS; i++) {
            assertThat(handles.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertLinkedAtMost(registry, MOST_LEFT_LINKED, "after outside spawns");

        // From a worker: its children go to its own shard; the other worker steals and completes
        // some of them (pushed), the spawner completes the rest (unlinked at once).
        JoinHandle<List<JoinHandle<Integer>>> parent = scheduler.spawn(() -> {
            List<JoinHandle<Integer>> children = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                int value = i;
                children.add(scheduler.spawn(() -> value, Priority.NORMAL, null));
            }
            return children;
        }, Priority.NORMAL, null);
        List<JoinHandle<Integer>> children = parent.get(20, TimeUnit.SECONDS);
        for (int i = 0; i < TASKS; i++) {
            assertThat(children.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertLinkedAtMost(registry, MOST_LEFT_LINKED, "after a worker's spawns");
    }

    private static void assertLinkedAtMost(TaskRegistry registry, int most, String when) {
        // Racy reads, no drain: what the lists still hold (finished cells waiting included).
        for (int i = 0; i < 4; i++) {
            assertThat(registry.shard(i).sizeHint()).as("cells still linked in shard %d %s", i, when).isLessThanOrEqualTo(most);
        }
        // The exact reads unlink what waits first: nothing is live.
        assertThat(registry.liveTasksHint()).as("live %s", when).isZero();
        long[] counts = registry.counts();
        assertThat(counts[1]).as("removed vs inserted %s", when).isEqualTo(counts[0]);
        assertThat(registry.isEmpty()).isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(registry.shard(i).sizeHint()).as("cells linked in shard %d after a read", i).isZero();
        }
    }
}

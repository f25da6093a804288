package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * cell10 on top of review29's drain (fix29): a spawn from outside that a take handed to lazy
 * linking carries {@link LazyLink#UNLINKED} from then on, so when a full ring moves it back into
 * the inject queue it waits there as a worker's never-polled cell does, not with the queue's own
 * mark. Every path that must see or link the inject queue's unlinked cells covers it: the
 * shutdown's drain links it before it hands it to be cancelled, without counting it in
 * {@code spawnsLinked} a second time; a dump lists it from the queue (and links only the cells
 * still carrying the queue's mark); the abort's walk links only those too, and the handed-over
 * cell's own shard (its lane's outside shard) answers the first poll's refusal check. One thread,
 * a ring of four, so the overflow is deterministic.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OutsideSpawnsHandedOverThenOverflowedTest {

    private static final int TAKEN = 10;
    private static final int STILL_MARKED = 3;

    private InjectQueue queue;
    private TaskRegistry registry;
    private TaskShard shard;
    private final List<TaskCell<Void>> cells = new ArrayList<>();
    private LocalQueue ring;
    private ScheduledTask runNow;
    private int overflowed;

    @BeforeEach
    void takeABatchThatOverflowsThenSpawnMore() {
        queue = new InjectQueue();
        registry = new TaskRegistry(1, TaskShard.SWEEP_SLACK, queue);
        shard = registry.outsideShard(0);
        spawn(TAKEN);
        ring = new LocalQueue(4);
        runNow = queue.popBatchInto(ring, TAKEN); // 9 for a ring of 4: a full ring moves cells back
        overflowed = queue.len();
        assertThat(overflowed).isPositive();
        assertThat(cells).allSatisfy(c -> assertThat(LazyLink.isUnlinked(c)).isTrue()); // handed over, all
        assertThat(queue.spawnsLinked).isEqualTo(TAKEN);
        assertThat(shard.linkedCount()).isZero();
        spawn(STILL_MARKED);
    }

    private void spawn(int n) {
        for (int i = 0; i < n; i++) {
            TaskCell<Void> cell = new TaskCell<>(shard, Task.never(), Priority.HIGH);
            QueuedSpawns.markUnlinked(cell);
            assertThat(queue.pushSpawn(cell, true)).isEqualTo(InjectQueue.SPAWN_ACCEPTED);
            cells.add(cell);
        }
    }

    @Test
    void theShutdownsDrainLinksHandedOverCellsAFullRingMovedBackAndCountsThemOnce() {
        List<ScheduledTask> drained = new ArrayList<>();
        int n = queue.drainForShutdown(t -> {
            TaskCell<?> cell = (TaskCell<?>) t;
            // Linked before it is handed on to be cancelled (review29): neither mark is left.
            assertThat(LazyLink.isUnlinked(cell)).isFalse();
            assertThat(QueuedSpawns.isUnlinked(cell)).isFalse();
            drained.add(t);
        });
        assertThat(n).isEqualTo(overflowed + STILL_MARKED).isEqualTo(drained.size());
        assertThat(shard.linkedCount()).isEqualTo(overflowed + STILL_MARKED);
        // The handed-over ones were counted by the take; only the still-marked ones by the drain.
        assertThat(queue.spawnsLinked).isEqualTo(TAKEN + STILL_MARKED).isEqualTo(queue.spawnCount());
        // What the worker holds (its ring, the task to run now) stays a worker's unlinked cell.
        assertThat(LazyLink.isUnlinked((TaskCell<?>) runNow)).isTrue();
        assertThat(drained).doesNotContain(runNow);
    }

    @Test
    void aDumpListsHandedOverCellsQueuedAgainAndLinksOnlyTheMarkedOnes() {
        int listed = LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll,
                cancel) -> { });
        // No scheduler here: the ring and the task to run now are the workers' part of a real dump.
        assertThat(listed).isEqualTo(overflowed + STILL_MARKED);
        assertThat(shard.linkedCount()).isEqualTo(STILL_MARKED);
        assertThat(queue.spawnsLinked).isEqualTo(TAKEN + STILL_MARKED);
        queue.drainForShutdown(t -> { });
        assertThat(shard.linkedCount()).isEqualTo(STILL_MARKED + overflowed);
        assertThat(queue.spawnsLinked).isEqualTo(TAKEN + STILL_MARKED);
    }

    @Test
    void theAbortsWalkLinksTheMarkedOnesAndTheHandedOverOnesReadTheRefusalAtTheirFirstPoll() {
        registry.refuseAll();
        assertThat(registry.newAbortWalk().found()).isEqualTo(STILL_MARKED);
        // The first poll's check (TaskCell.run) reads the refusal through the cell's outside shard.
        assertThat(LazyLink.refusedAll((TaskCell<?>) runNow)).isTrue();
        assertThat(queue.spawnsLinked).isEqualTo(TAKEN + STILL_MARKED);
    }
}

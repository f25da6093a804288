package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import org.junit.jupiter.api.Test;

/**
 * A worker's spawn ({@link TaskShard#admit}) counts without its shard's lock since the thirteenth
 * wave, but still reads the refusal first: accepted while a graceful shutdown drains (the tasks
 * winding down may spawn), refused once the abort began, with the clear exception, counting
 * nothing and leaving the cell unmarked. (The race of the read with the abort's store is
 * {@code ShutdownRacingWorkerSpawnsTest}'s.)
 */
class WorkerSpawnRefusedOnceTheAbortBeganTest {

    @Test
    void acceptedWhileDrainingRefusedOnceAborting() {
        TaskRegistry registry = new TaskRegistry(null, 1, 1);
        TaskShard shard = registry.shard(0);

        shard.admit(cell(shard));
        assertThat(registry.counts()[0]).isEqualTo(1);

        registry.refuseRemote();
        TaskCell<Void> whileDraining = cell(shard);
        shard.admit(whileDraining);
        assertThat(registry.counts()[0]).as("a task's spawn during the drain is accepted").isEqualTo(2);
        assertThat(LazyLink.isUnlinked(whileDraining)).isTrue();

        registry.refuseAll();
        TaskCell<Void> afterAbort = cell(shard);
        assertThatThrownBy(() -> shard.admit(afterAbort)).isInstanceOf(IllegalStateException.class)
                .hasMessage("this async-runtime is closed: it accepts no new tasks");
        assertThat(registry.counts()[0]).as("a refused spawn is not counted").isEqualTo(2);
        assertThat(LazyLink.isUnlinked(afterAbort)).as("nor marked").isFalse();
    }

    private static TaskCell<Void> cell(TaskShard shard) {
        return new TaskCell<>(shard, Task.never(), Priority.NORMAL);
    }
}

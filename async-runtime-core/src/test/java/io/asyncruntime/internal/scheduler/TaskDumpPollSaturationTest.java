package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.TaskDump;
import org.junit.jupiter.api.Test;

/**
 * Regression (review of issue 10): {@code TaskDump.TaskInfo#polls} was documented to saturate at
 * 16,777,215 (2^24 - 1), but the state word keeps the count in bits 9-31 (23 bits): it saturates
 * at 8,388,607 ({@link TaskState#MAX_POLLS}). The dump now documents that ceiling as
 * {@link TaskDump#MAX_POLLS}; this test holds the two together.
 */
class TaskDumpPollSaturationTest {

    @Test
    void thePollCountSaturatesWhereTheDumpSaysItDoes() {
        int saturated = TaskState.initial(0, TaskCell.TASK) | TaskState.POLLS_MASK;
        assertThat((long) TaskState.polls(TaskState.countPoll(saturated)))
                .as("largest poll count a TaskDump shows (TaskDump.MAX_POLLS)")
                .isEqualTo(TaskDump.MAX_POLLS)
                .isEqualTo((long) TaskState.MAX_POLLS);
    }
}

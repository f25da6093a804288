package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Review of issue 10: {@code TaskDump.TaskInfo#polls} is documented to saturate at 16,777,215
 * (2^24 - 1), but the state word keeps the count in bits 9-31 (23 bits): it saturates at
 * 8,388,607 ({@link TaskState#MAX_POLLS}). A dump of a busy task shows half the documented ceiling.
 */
class TaskDumpPollSaturationReview10Test {

    @Test
    void thePollCountSaturatesWhereTheDumpSaysItDoes() {
        int saturated = TaskState.initial(0, TaskCell.TASK) | TaskState.POLLS_MASK;
        assertThat(TaskState.polls(TaskState.countPoll(saturated)))
                .as("largest poll count a TaskDump shows (TaskDump.TaskInfo javadoc: 16,777,215)")
                .isEqualTo(16_777_215);
    }
}

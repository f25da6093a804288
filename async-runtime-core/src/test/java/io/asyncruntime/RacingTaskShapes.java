package io.asyncruntime;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/**
 * Task shapes the shutdown-race tests spawn in a flood (from outside, or from the workers): each
 * is in a different place when the abort begins (queued again after a wake, idle after a yield).
 */
final class RacingTaskShapes {

    private RacingTaskShapes() {
    }

    /** Wakes itself in its first poll and returns pending; ready with 2 at its second. */
    static Task<Integer> wokenInItsFirstPollThenReady() {
        int[] polls = {0};
        return cx -> {
            if (polls[0]++ == 0) {
                cx.waker().wake();
                return Poll.pending();
            }
            return Poll.ready(2);
        };
    }

    /** Asks to yield in its first poll, then stays pending forever (idle). */
    static Task<Void> yieldOnceThenIdle() {
        int[] polls = {0};
        return cx -> {
            if (polls[0]++ == 0) {
                cx.requestYield();
            }
            return Poll.pending();
        };
    }
}

package io.asyncruntime;

import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.List;

/**
 * A snapshot of a runtime's live tasks ({@link AsyncRuntime#taskDump}), capped at the number of
 * tasks asked for: {@code liveTasks} says how many there were, {@code tasks} lists at most the
 * cap of them, each worker's and each outside spawner's newest first.
 *
 * <p>Times come from the registry's coarse clock, which the workers refresh at every driver turn
 * (every {@code eventInterval} polls, and whenever a worker wakes): they are exact to within the
 * polls of one such interval. Not a consistent cut: tasks change state while the dump walks.
 *
 * @param liveTasks tasks live when the dump began (all of them, not only the listed ones)
 * @param tasks the listed tasks; never null
 * @param truncated whether tasks were left out because of the cap
 */
public record TaskDump(long liveTasks, List<TaskInfo> tasks, boolean truncated) {

    /**
     * The largest poll count a dump shows, 8,388,607 (2^23 - 1): a task's count is kept in 23 bits
     * of its state word and stops there.
     */
    public static final long MAX_POLLS = (1L << 23) - 1;

    /** What a task is doing. */
    public enum State {
        /** Waiting to be woken (a timer, I/O, another task, a channel...). */
        IDLE,
        /** Woken or just spawned, waiting in a queue for a worker. */
        QUEUED,
        /** Being polled by a worker now. */
        RUNNING
    }

    /**
     * One live task.
     *
     * @param name the name given at spawn, or {@code task-<hash>}; never null
     * @param priority its lane; never null
     * @param state what it is doing; never null
     * @param age time since it was spawned; never null
     * @param polls polls started so far (saturates at {@link TaskDump#MAX_POLLS}, 8,388,607)
     * @param sinceLastPoll time since its last poll started; null if it was never polled (a poll
     *     more than 52 days ago shows modulo ~52 days)
     * @param cancelRequested whether it was aborted and is to be cancelled at its next poll boundary
     */
    public record TaskInfo(String name, Priority priority, State state, Duration age, long polls,
                           Duration sinceLastPoll, boolean cancelRequested) {
    }
}

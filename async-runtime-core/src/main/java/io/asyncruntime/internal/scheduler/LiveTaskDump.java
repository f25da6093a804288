package io.asyncruntime.internal.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Reading the live-task registry for a task dump: which tasks are live, and what a dump shows of
 * each (its state, age, polls and time since its last poll), from the cell's state word and the
 * two coarse stamps it carries (see {@link TaskRegistry}, "Cost per task"). Each shard's lock is
 * held only while its share is copied (see {@link TaskShard}, "Readers"); the visitor runs after,
 * lock-free, and a cell that completes between the copy and its visit is left out.
 */
public final class LiveTaskDump {

    /** Slack over the live count when sizing a dump's copy buffer (tasks spawned meanwhile). */
    private static final int DUMP_SLACK = 64;

    private LiveTaskDump() {
    }

    /**
     * The pauses before a dump's second, third and fourth collection (see {@link #forEachLive}):
     * a yield, then a millisecond, then four; under 6 ms in all, paid only by a collection that
     * came up short.
     */
    private static final long[] RECOLLECT_PAUSE_NANOS = {0, 1_000_000, 4_000_000};

    /**
     * Visits up to {@code max} live tasks of {@code registry}, each shard's newest first, holding
     * each shard's lock only while copying its share (at most {@code max} references in all, and
     * no more than were live plus a little slack); the visitor runs after, lock-free. Returns how
     * many it visited. Spawns from outside still in the inject queues are linked first (a walk of
     * each queue under its consumer flag, see {@link InjectQueue#linkQueuedSpawns}), so they are
     * listed too, as QUEUED. The workers' cells that never returned pending are in no shard
     * ({@link LazyLink}): they are listed first, as found in the queues and the workers' polls by
     * a racy read, and no more than {@code max} of them are collected.
     *
     * <p>That read is a best-effort snapshot: a cell moving against the order of the read (a
     * steal from a worker read later into one read earlier, an overflow into an inject queue
     * already walked) may be missed, and so may a cell a worker holds in its hands only (taken
     * from a queue, its poll not yet entered) while that worker is off the CPU; none is listed
     * twice. So a collection that found fewer cells than were live both before and after it (and
     * than {@code max}) is made again, after a pause that lets a descheduled worker land what it
     * holds ({@link #RECOLLECT_PAUSE_NANOS}), and the fullest is kept. Tasks that are not finishing
     * (idle, queued) are then all listed: CI, main b3ceb4e, listed 4,999 of 5,000 idle tasks in an
     * uncapped dump taken while the workers were still first-polling them, and called the dump
     * truncated. Under churn the live count moves during the read, and a dump may list fewer.
     */
    public static int forEachLive(TaskRegistry registry, int max, LiveTaskVisitor visitor) {
        int cap = Math.max(max, 0);
        long liveBefore = registry.liveTasksHint();
        TaskCell<?>[] chunk = new TaskCell<?>[(int) Math.min(cap, liveBefore + DUMP_SLACK)];
        List<TaskCell<?>> cells = collect(registry, cap, chunk);
        for (long pause : RECOLLECT_PAUSE_NANOS) {
            long expected = Math.min(cap, Math.min(liveBefore, registry.liveTasksHint()));
            if (cells.size() >= expected) {
                break;
            }
            if (pause == 0) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(pause);
            }
            List<TaskCell<?>> again = collect(registry, cap, chunk);
            if (again.size() >= cells.size()) {
                cells = again;
            }
        }
        long now = nowForDump(registry); // after the collection: no cell is stamped after it
        int visited = 0;
        for (TaskCell<?> cell : cells) {
            if (visit(cell, now, visitor)) {
                visited++;
            }
        }
        return visited;
    }

    /**
     * One collection for {@link #forEachLive}: the unlinked cells first, then each shard's, up
     * to {@code max} in all and each once; {@code chunk} is the shards' copy buffer (left
     * cleared).
     */
    private static List<TaskCell<?>> collect(TaskRegistry registry, int max, TaskCell<?>[] chunk) {
        Set<TaskCell<?>> unlinked = registry.linkQueuedSpawnsAndCollectUnlinked(max);
        List<TaskCell<?>> cells = new ArrayList<>(unlinked);
        for (TaskShard shard : registry.allShards()) {
            if (cells.size() >= max) {
                break;
            }
            int n = shard.snapshot(chunk, Math.min(chunk.length, max - cells.size()));
            for (int i = 0; i < n; i++) {
                TaskCell<?> cell = chunk[i];
                chunk[i] = null;
                if (!unlinked.contains(cell)) { // linked since it was read unlinked: listed already
                    cells.add(cell);
                }
            }
        }
        return cells;
    }

    /**
     * The dump's clock: a fresh reading of the real clock (the dump's own, to the nanosecond, on
     * the registry's scale), which also refreshes the coarse clock the cells are stamped from.
     */
    private static long nowForDump(TaskRegistry registry) {
        long now = registry.realNanos();
        registry.refreshClock(now);
        return now;
    }

    /**
     * What a dump shows of {@code cell} at {@code now} ({@link #nowForDump}); false if the cell
     * completed since it was collected (not visited).
     */
    private static boolean visit(TaskCell<?> cell, long now, LiveTaskVisitor visitor) {
        int state = cell.state();
        LiveTaskState taskState;
        if (TaskState.isComplete(state)) {
            return false; // completed between the copy and now
        } else if ((state & TaskState.RUNNING) != 0) {
            // RUNNING is kept while a yielded task waits in a queue; its stamp's mark tells.
            taskState = (cell.pollStamp & TaskCell.YIELD_QUEUED) != 0 ? LiveTaskState.QUEUED : LiveTaskState.RUNNING;
        } else if ((state & TaskState.NOTIFIED) != 0) {
            taskState = LiveTaskState.QUEUED;
        } else {
            taskState = LiveTaskState.IDLE;
        }
        long ageNanos = Math.max(0, now - (Integer.toUnsignedLong(cell.spawnStamp) << TaskRegistry.SPAWN_STAMP_SHIFT));
        long nowPollUnits = now >>> TaskRegistry.POLL_STAMP_SHIFT;
        long sincePollUnits = (nowPollUnits - (cell.pollStamp & TaskCell.POLL_STAMP_MASK)) & TaskCell.POLL_STAMP_MASK;
        // From the start of the stamp's unit to now, as the age is from the spawn stamp's: never
        // less than the time since the poll (whole units alone would drop up to ~17 ms of it).
        long sincePollNanos = Math.min((sincePollUnits << TaskRegistry.POLL_STAMP_SHIFT)
                + (now & ((1L << TaskRegistry.POLL_STAMP_SHIFT) - 1)), ageNanos);
        // Plus the polls of yield-queued takes the word does not show yet (racy: a dump during a
        // yield chain may be off by those few; exact for a task that is not RUNNING).
        int polls = Math.min(TaskState.polls(state) + cell.uncountedPolls(), TaskState.MAX_POLLS);
        visitor.visit(cell.name(), TaskState.lane(state), taskState, ageNanos, polls,
                polls == 0 ? -1 : sincePollNanos, (state & TaskState.CANCELLED) != 0);
        return true;
    }

    /** What a task dump sees of one task's state. */
    public enum LiveTaskState {
        /** Waiting for a wake-up. */
        IDLE,
        /** Woken, in a queue, not yet polled. */
        QUEUED,
        /** Being polled by a worker now. */
        RUNNING
    }

    /** Receives the live tasks of a walk; called on the walking thread. */
    @FunctionalInterface
    public interface LiveTaskVisitor {
        /**
         * One live task.
         *
         * @param sinceLastPollNanos time since its last poll started, or -1 if it was never polled
         * @param cancelRequested whether an abort was requested and is pending at a poll boundary
         */
        void visit(String name, int lane, LiveTaskState state, long ageNanos, int polls, long sinceLastPollNanos,
                   boolean cancelRequested);
    }
}

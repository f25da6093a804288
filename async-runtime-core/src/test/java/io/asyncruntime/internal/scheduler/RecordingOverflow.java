package io.asyncruntime.internal.scheduler;

import java.util.ArrayList;
import java.util.List;

/** An {@link Overflow} that records what a full local queue sent, batch by batch. Owner thread only. */
final class RecordingOverflow implements Overflow {
    /** Each push or batch as the list of task ids it carried, in order. */
    final List<List<Integer>> batches = new ArrayList<>();

    @Override
    public void push(ScheduledTask task) {
        if (task.queueNext != null) {
            throw new AssertionError("single overflow task with a link: " + task);
        }
        batches.add(List.of(((TestTask) task).id));
    }

    @Override
    public void pushBatch(ScheduledTask first, ScheduledTask last, int count) {
        List<Integer> ids = new ArrayList<>();
        ScheduledTask t = first;
        ScheduledTask end = null;
        while (t != null) {
            ids.add(((TestTask) t).id);
            end = t;
            t = t.queueNext;
        }
        if (end != last || ids.size() != count) {
            throw new AssertionError("batch of " + ids + " does not match last=" + last + ", count=" + count);
        }
        batches.add(ids);
    }

    List<Integer> allIds() {
        List<Integer> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return all;
    }
}

package io.asyncruntime.internal.scheduler;

/** A queued task identified by an id, for the queue tests. */
final class TestTask extends ScheduledTask {
    final int id;

    TestTask(int id) {
        this.id = id;
    }

    @Override
    int lane() {
        return 0;
    }

    @Override
    public String toString() {
        return "T" + id;
    }
}

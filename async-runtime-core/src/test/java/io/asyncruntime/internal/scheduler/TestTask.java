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

    /** Queue tests only move tasks around; running one would be a bug in the test. */
    @Override
    void run(TaskPoller poller) {
        throw new AssertionError("queue test task " + id + " was run");
    }

    @Override
    void cancelQueued(String why) {
        throw new AssertionError("queue test task " + id + " was cancelled: " + why);
    }

    @Override
    public String toString() {
        return "T" + id;
    }
}

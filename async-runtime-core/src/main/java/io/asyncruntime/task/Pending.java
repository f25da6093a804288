package io.asyncruntime.task;

/** Holder of the one object that means "not ready" (see {@link Task#pending()}). */
final class Pending {

    /** Compared by identity; never handed to user code as a value. */
    static final Object MARKER = new Pending();

    private Pending() {
    }

    @Override
    public String toString() {
        return "Task.pending()";
    }
}

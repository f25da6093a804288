package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;

/** What tests of other packages may look at inside a registration: who waits, what is armed. */
public final class IoTestAccess {

    private IoTestAccess() {
    }

    /** How many tasks wait on {@code direction} ({@link IoRegistration#READ} or {@code WRITE}). */
    public static int waiters(IoRegistration registration, int direction) {
        Object waiters = ((Readiness) registration).waitersOf(direction);
        if (waiters == null) {
            return 0;
        }
        return waiters instanceof Waker ? 1 : ((Waker[]) waiters).length;
    }

    /** The registration's state word, for failure messages. */
    public static String describe(IoRegistration registration) {
        return registration.toString();
    }
}

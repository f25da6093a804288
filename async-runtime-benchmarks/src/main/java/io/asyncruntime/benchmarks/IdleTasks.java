package io.asyncruntime.benchmarks;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts idle tasks that have started waiting (footprint measurement and its smoke test). A
 * static counter, so that an idle task reaches it without a field: a counter captured per task
 * would add a reference to every peer's task object and spoil the bytes being measured.
 */
public final class IdleTasks {

    private static final LongAdder WAITING = new LongAdder();

    private IdleTasks() {
    }

    /** Called once by an idle task when it has registered its waiter (or is about to park). */
    public static void started() {
        WAITING.increment();
    }

    /** Idle tasks that called {@link #started()} in this JVM, of every implementation. */
    public static long startedCount() {
        return WAITING.sum();
    }
}

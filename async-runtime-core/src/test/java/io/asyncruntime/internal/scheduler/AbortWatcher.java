package io.asyncruntime.internal.scheduler;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * For tests whose task must do something only after the shutdown's abort began (review29,
 * review31: a first poll that blocks in place then): the task's own poll waits, on its worker,
 * until the registry refuses all spawns ({@link TaskRegistry#REFUSING_ALL}), looking every 20 µs
 * for up to 30 s. The poll reacts as soon as its worker runs again: no other thread has to be
 * scheduled between the refusal and the task's next step (a watcher thread and a latch did, and
 * on a loaded box the hop outlasted the shutdown's 100 ms worker-stop allowance). No sleeps: the
 * task holds its worker, bounded.
 */
final class AbortWatcher {

    private static final long LOOK_EVERY_NANOS = 20_000;
    private static final long AT_MOST_NANOS = TimeUnit.SECONDS.toNanos(30);

    private AbortWatcher() {
    }

    /** Returns once {@code registry} refuses all spawns; throws if it did not within 30 s. */
    static void awaitTheAbort(TaskRegistry registry) {
        long deadline = System.nanoTime() + AT_MOST_NANOS;
        while (registry.refusal(false) != TaskRegistry.REFUSING_ALL) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the shutdown's abort did not begin within 30 s");
            }
            LockSupport.parkNanos(LOOK_EVERY_NANOS);
        }
    }
}

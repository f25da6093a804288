package io.asyncruntime.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts finished tasks down to zero and lets the benchmark thread wait for zero: the one way every
 * implementation signals "workload done" (Tokio's benches use an atomic counter plus a channel).
 *
 * <p>The shared counter is part of the workload on purpose, as in Tokio's {@code rt_multi_threaded}
 * benches: every implementation pays the same contended decrement per task.
 */
public final class Countdown {

    /** Long enough for any sane run on a loaded 2-core machine; a hang fails the benchmark instead. */
    static final long TIMEOUT_SECONDS = 60;

    private final AtomicInteger remaining;
    private final CountDownLatch zero = new CountDownLatch(1);

    public Countdown(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        remaining = new AtomicInteger(count);
    }

    /** Called once by each finishing task; the last one releases {@link #await}. */
    public void countDown() {
        int left = remaining.decrementAndGet();
        if (left == 0) {
            zero.countDown();
        } else if (left < 0) {
            throw new IllegalStateException("counted down more often than the count: " + left);
        }
    }

    /**
     * Blocks the calling (non-worker) thread until the count reaches zero.
     *
     * @param what names the workload and implementation in the error when it does not finish
     */
    public void await(String what) {
        try {
            if (!zero.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(what + " did not finish within " + TIMEOUT_SECONDS
                        + " s: " + remaining.get() + " tasks left");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted with " + remaining.get() + " tasks left", e);
        }
    }
}

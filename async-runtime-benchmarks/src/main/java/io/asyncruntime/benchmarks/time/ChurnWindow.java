package io.asyncruntime.benchmarks.time;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The insert-and-cancel schedule of one churning thread (or task) in {@link TimerChurnBenchmark},
 * the same for every peer: timers are inserted in batches of {@value #BATCH}; each batch is stamped
 * with the time it was inserted; a timer that does not survive is cancelled once its batch is at
 * least {@link #CANCEL_LAG_NANOS} old, so the cancel always meets a timer that the structure has
 * had two ticks to file (in a wheel, not still in an inbox). The clock is read once per batch.
 *
 * <p>Not thread-safe: one owner drives it, one step at a time.
 */
final class ChurnWindow {

    /** Timers inserted between two looks at the clock (and, for ours, between two yields). */
    static final int BATCH = 256;
    /** How long a timer that will be cancelled stays armed at least: two ticks of a 1 ms wheel. */
    static final long CANCEL_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final int from;
    private final int end;
    private final Object[] handles;
    private final long[] batchInsertedAt;
    /** The next timer to insert. */
    private int next;
    /** Batches before this one are settled: their non-survivors are cancelled. */
    private int settledBatches;

    ChurnWindow(int from, int count) {
        this.from = from;
        this.end = from + count;
        this.next = from;
        this.handles = new Object[count];
        this.batchInsertedAt = new long[(count + BATCH - 1) / BATCH];
    }

    /** Whether every timer has been inserted. */
    boolean insertedAll() {
        return next == end;
    }

    /** Whether every timer has been inserted and every non-survivor cancelled. */
    boolean settled() {
        return insertedAll() && settledBatches == batchInsertedAt.length;
    }

    /**
     * Starts the next batch at {@code now}: returns the index after its last timer. The caller
     * inserts timers {@code [nextIndex(), returned)} and {@link #store}s each handle.
     */
    int startBatch(long now) {
        batchInsertedAt[(next - from) / BATCH] = now;
        return Math.min(end, next + BATCH);
    }

    /** The next timer to insert. */
    int nextIndex() {
        return next;
    }

    /** Records the handle of timer {@code i}, the next one in order. */
    void store(int i, Object handle) {
        handles[i - from] = handle;
        next = i + 1;
    }

    /** Cancels every non-survivor of each inserted batch that is at least the lag old at {@code now}. */
    void cancelDue(long now, Consumer<Object> cancel) {
        // Callers insert whole batches, so every started batch but a short last one is complete here.
        int inserted = insertedAll() ? batchInsertedAt.length : (next - from) / BATCH;
        while (settledBatches < inserted && now - batchInsertedAt[settledBatches] >= CANCEL_LAG_NANOS) {
            int first = from + settledBatches * BATCH;
            int last = Math.min(end, first + BATCH);
            for (int i = first; i < last; i++) {
                if (!TimerChurnBenchmark.survives(i)) {
                    cancel.accept(handles[i - from]);
                }
                handles[i - from] = null;
            }
            settledBatches++;
        }
    }

    /** Nanoseconds from {@code now} until the oldest unsettled batch may be cancelled (0 if it may now). */
    long nanosUntilDue(long now) {
        if (settledBatches == batchInsertedAt.length) {
            return 0;
        }
        return Math.max(0, batchInsertedAt[settledBatches] + CANCEL_LAG_NANOS - now);
    }
}

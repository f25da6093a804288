package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.BitSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.asyncruntime.RuntimeMetrics;

/**
 * One {@link RuntimeMetrics} snapshot per scrape, shared by every meter of a runtime, so that a
 * scrape costs one snapshot (not one per meter) and its values agree with each other
 * ({@code tasks.alive} is {@code tasks.spawned - tasks.completed} of the same instant).
 *
 * <p>Registries read each meter once per scrape but say nothing when a scrape begins, so the
 * boundary is inferred from how a scrape reads: every meter once, back to back, on one thread.
 * A new snapshot is taken when the meter reading has already read the current one (it is the
 * first meter of the next scrape), when another thread reads, when no meter was read for
 * {@link #SCRAPE_GAP_NANOS}, or when the snapshot is older than {@link #MAX_AGE_NANOS}. Anything
 * other than a scrape that reads meters ({@code /actuator/metrics/...} requests, a test that
 * reads, spawns and reads again) leaves a request's worth of time between its reads, or comes from
 * another thread, and sees fresh values; a scrape split by a long pause (a GC, the thread
 * descheduled) only costs a second snapshot.
 *
 * <p>Reads are serialized by the monitor: scrapes run on the registry's publishing thread or an
 * HTTP request thread, never on a runtime worker, and a snapshot of a few workers takes
 * microseconds.
 */
final class ScrapeSnapshot {

    /**
     * Longest pause between two meter reads of one scrape: far longer than formatting one meter,
     * shorter than any request round trip that could change the runtime in between.
     */
    static final long SCRAPE_GAP_NANOS = 1_000_000L;

    /** Longest a snapshot is reused: far longer than one scrape, shorter than any scrape period. */
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final Supplier<RuntimeMetrics> source;

    private final LongSupplier nanoTime;

    private final long scrapeGapNanos;

    private final long maxAgeNanos;

    private final BitSet readSinceTaken = new BitSet();

    private int slots;

    private RuntimeMetrics current;

    private long takenAt;

    private long lastReadAt;

    private Thread lastReader;

    ScrapeSnapshot(Supplier<RuntimeMetrics> source) {
        this(source, System::nanoTime, SCRAPE_GAP_NANOS, MAX_AGE_NANOS);
    }

    ScrapeSnapshot(Supplier<RuntimeMetrics> source, LongSupplier nanoTime, long scrapeGapNanos, long maxAgeNanos) {
        this.source = source;
        this.nanoTime = nanoTime;
        this.scrapeGapNanos = scrapeGapNanos;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** A slot for one more meter. */
    synchronized int newSlot() {
        return this.slots++;
    }

    /** A snapshot of its own, outside any scrape (to see what there is to bind). */
    RuntimeMetrics fresh() {
        return this.source.get();
    }

    /** The snapshot of the current scrape, as meter {@code slot} sees it. */
    synchronized RuntimeMetrics read(int slot) {
        long now = this.nanoTime.getAsLong();
        Thread reader = Thread.currentThread();
        if (this.current == null || this.readSinceTaken.get(slot) || reader != this.lastReader
                || now - this.lastReadAt > this.scrapeGapNanos || now - this.takenAt > this.maxAgeNanos) {
            this.current = this.source.get();
            this.takenAt = now;
            this.readSinceTaken.clear();
        }
        this.readSinceTaken.set(slot);
        this.lastReadAt = now;
        this.lastReader = reader;
        return this.current;
    }

}

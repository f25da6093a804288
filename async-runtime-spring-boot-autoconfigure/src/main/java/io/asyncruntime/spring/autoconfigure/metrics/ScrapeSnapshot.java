package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.BitSet;
import java.util.function.Supplier;

import io.asyncruntime.RuntimeMetrics;

/**
 * One {@link RuntimeMetrics} snapshot per scrape, shared by every meter of a runtime, so that a
 * scrape costs one snapshot (not one per meter) and its values agree with each other
 * ({@code tasks.alive} is {@code tasks.spawned - tasks.completed} of the same instant).
 *
 * <p>Registries read each meter once per scrape but say nothing when a scrape begins, so the
 * boundary is inferred: every meter has a slot, and a meter that reads again a snapshot it has
 * already read starts a new one — the first meter of the next scrape. A snapshot older than
 * {@link #MAX_AGE_NANOS} is never reused, so a registry that reads only some meters, or a meter
 * read alone ({@code /actuator/metrics/...}), still sees fresh values.
 *
 * <p>Reads are serialized by the monitor: scrapes run on the registry's publishing thread or an
 * HTTP request thread, never on a runtime worker, and a snapshot of a few workers takes
 * microseconds.
 */
final class ScrapeSnapshot {

    /** Longest a snapshot is reused: far longer than one scrape, shorter than any scrape period. */
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final Supplier<RuntimeMetrics> source;

    private final BitSet readSinceTaken = new BitSet();

    private int slots;

    private RuntimeMetrics current;

    private long takenAt;

    ScrapeSnapshot(Supplier<RuntimeMetrics> source) {
        this.source = source;
    }

    /** A slot for one more meter. */
    synchronized int newSlot() {
        return this.slots++;
    }

    /** The snapshot of the current scrape, as meter {@code slot} sees it. */
    synchronized RuntimeMetrics read(int slot) {
        long now = System.nanoTime();
        if (this.current == null || this.readSinceTaken.get(slot) || now - this.takenAt > MAX_AGE_NANOS) {
            this.current = this.source.get();
            this.takenAt = now;
            this.readSinceTaken.clear();
        }
        this.readSinceTaken.set(slot);
        return this.current;
    }

}

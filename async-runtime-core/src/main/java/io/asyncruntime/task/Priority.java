package io.asyncruntime.task;

/**
 * The scheduling lane of a spawned task.
 *
 * <p>Workers serve a higher lane first, thieves steal from the highest lane first, and each lower
 * lane is guaranteed a configurable share of polls while it has work, so it never starves.
 * Tokio has no priorities (tokio-rs/tokio#3150); this is one of the things it is asked for.
 */
public enum Priority {
    /** Latency-sensitive work: health checks, timeouts, request handling that must stay fast. */
    HIGH,
    /** The default lane. */
    NORMAL,
    /** Bulk work that may wait while higher lanes have work, but never starves. */
    BACKGROUND;

    /** Number of lanes; lane indices are {@link #ordinal()}s, highest priority first. */
    public static final int COUNT = values().length;

    private static final Priority[] BY_ORDINAL = values();

    /** The priority with the given lane index ({@link #ordinal()}). */
    public static Priority ofLane(int lane) {
        return BY_ORDINAL[lane];
    }
}

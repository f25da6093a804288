package io.asyncruntime;

import io.asyncruntime.internal.blocking.VirtualThreads;
import java.time.Duration;
import java.util.Objects;

/**
 * The limits of a blocking pool: how many threads may run its work at once, how long an idle
 * thread waits before it exits, how much work may queue before {@code trySpawnBlocking} rejects,
 * and whether the work runs on virtual threads. Immutable: each setter returns a new value and
 * validates its argument at once ({@link IllegalArgumentException} naming it and its range).
 *
 * <pre>{@code
 * BlockingPool jdbc = runtime.blockingPool("jdbc", BlockingLimits.defaults().maxThreads(16).queueCapacity(200));
 * }</pre>
 *
 * <p>The defaults are those of the runtime's own pool: {@value #DEFAULT_MAX_THREADS} threads (as
 * Tokio), a 10 s keep-alive (as Tokio), a queue of {@value #DEFAULT_QUEUE_CAPACITY}, platform
 * threads.
 */
public final class BlockingLimits {

    /** Tokio's default cap on blocking threads. */
    public static final int DEFAULT_MAX_THREADS = 512;
    /**
     * The largest thread cap: far beyond what platform threads allow, but a virtual-thread pool
     * may use it; a cap is still a cap.
     */
    public static final int MAX_THREADS = 1_000_000;
    /** Tokio's default keep-alive of an idle blocking thread. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(10);
    /** The shortest keep-alive: one millisecond (idle threads wait with millisecond-scale parks). */
    public static final Duration MIN_KEEP_ALIVE = Duration.ofMillis(1);
    /** The longest keep-alive: one day; longer is "never" for every practical purpose. */
    public static final Duration MAX_KEEP_ALIVE = Duration.ofDays(1);
    /**
     * The default queue bound: about 20 waiting calls per thread at the default cap. Past it,
     * {@code spawnBlocking} work waits for room and {@code trySpawnBlocking} rejects, so a flood
     * shows in the metrics instead of growing a queue without limit (Tokio's queue is unbounded,
     * its issues 4955 and 7261).
     */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    /** The largest queue bound. */
    public static final int MAX_QUEUE_CAPACITY = Integer.MAX_VALUE;

    private static final BlockingLimits DEFAULTS =
            new BlockingLimits(DEFAULT_MAX_THREADS, DEFAULT_KEEP_ALIVE, DEFAULT_QUEUE_CAPACITY, false);

    private final int maxThreads;
    private final Duration keepAlive;
    private final int queueCapacity;
    private final boolean virtualThreads;

    private BlockingLimits(int maxThreads, Duration keepAlive, int queueCapacity, boolean virtualThreads) {
        this.maxThreads = maxThreads;
        this.keepAlive = keepAlive;
        this.queueCapacity = queueCapacity;
        this.virtualThreads = virtualThreads;
    }

    /** The default limits (see the class comment). */
    public static BlockingLimits defaults() {
        return DEFAULTS;
    }

    /** These limits with a thread cap of {@code maxThreads}: 1 to {@value #MAX_THREADS}. */
    public BlockingLimits maxThreads(int maxThreads) {
        requireMaxThreads("maxThreads", maxThreads);
        return new BlockingLimits(maxThreads, keepAlive, queueCapacity, virtualThreads);
    }

    /**
     * These limits with a queue bound of {@code queueCapacity}: 0 (no queue: every task needs a
     * free thread, or waits for one) to {@value #MAX_QUEUE_CAPACITY}.
     */
    public BlockingLimits queueCapacity(int queueCapacity) {
        requireQueueCapacity("queueCapacity", queueCapacity);
        return new BlockingLimits(maxThreads, keepAlive, queueCapacity, virtualThreads);
    }

    /** These limits with an idle keep-alive of {@code keepAlive}: 1 ms to 1 day. */
    public BlockingLimits keepAlive(Duration keepAlive) {
        requireKeepAlive("keepAlive", keepAlive);
        return new BlockingLimits(maxThreads, keepAlive, queueCapacity, virtualThreads);
    }

    /**
     * These limits with the work run on virtual threads ({@code true}) or platform threads. A
     * virtual-thread pool starts one virtual thread per task while fewer than
     * {@link #maxThreads()} run, so the cap still bounds the work in flight (a database pool, a
     * rate-limited service); its threads do not idle, so the keep-alive does not apply.
     *
     * @throws IllegalArgumentException if {@code true} on a JVM older than Java 21
     */
    public BlockingLimits virtualThreads(boolean virtualThreads) {
        if (virtualThreads && !VirtualThreads.isSupported()) {
            throw new IllegalArgumentException("virtualThreads(true) needs Java 21 or later; this JVM is "
                    + Runtime.version());
        }
        return new BlockingLimits(maxThreads, keepAlive, queueCapacity, virtualThreads);
    }

    /** The thread cap. */
    public int maxThreads() {
        return maxThreads;
    }

    /** The queue bound past which {@code trySpawnBlocking} rejects. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** How long an idle platform thread waits for work before it exits. */
    public Duration keepAlive() {
        return keepAlive;
    }

    /** Whether the work runs on virtual threads. */
    public boolean virtualThreads() {
        return virtualThreads;
    }

    static void requireMaxThreads(String name, int value) {
        if (value < 1 || value > MAX_THREADS) {
            throw new IllegalArgumentException(name + " must be between 1 and " + MAX_THREADS + ", got " + value);
        }
    }

    static void requireQueueCapacity(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be between 0 and " + MAX_QUEUE_CAPACITY + ", got " + value);
        }
    }

    static void requireKeepAlive(String name, Duration value) {
        if (value == null || value.compareTo(MIN_KEEP_ALIVE) < 0 || value.compareTo(MAX_KEEP_ALIVE) > 0) {
            throw new IllegalArgumentException(name + " must be between 1 ms and 1 day (PT1MS to PT24H), got " + value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockingLimits other && maxThreads == other.maxThreads && queueCapacity == other.queueCapacity
                && virtualThreads == other.virtualThreads && keepAlive.equals(other.keepAlive);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxThreads, keepAlive, queueCapacity, virtualThreads);
    }

    @Override
    public String toString() {
        return "BlockingLimits[maxThreads=" + maxThreads + ", queueCapacity=" + queueCapacity + ", keepAlive="
                + keepAlive + ", virtualThreads=" + virtualThreads + "]";
    }
}

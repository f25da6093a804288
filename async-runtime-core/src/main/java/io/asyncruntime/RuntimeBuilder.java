package io.asyncruntime;

import io.asyncruntime.internal.blocking.BlockingPools;
import io.asyncruntime.internal.blocking.PoolSettings;
import io.asyncruntime.internal.scheduler.SchedulerConfig;
import io.asyncruntime.task.ContextPropagator;
import io.asyncruntime.task.Priority;
import io.asyncruntime.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Configures and builds an {@link AsyncRuntime}. Every setter validates its argument at once and
 * throws {@link IllegalArgumentException} naming the argument and its allowed range.
 */
public final class RuntimeBuilder {

    /** Upper bound of {@link #workerThreads}: the idle state packs worker counts in 16 bits. */
    public static final int MAX_WORKER_THREADS = 32_767;
    /** Upper bound of the tick intervals; larger values would mean "never" in practice. */
    public static final int MAX_INTERVAL = 1_000_000;
    /** Tokio's value for a current-thread runtime; the multi-thread one self-tunes around it. */
    public static final int DEFAULT_GLOBAL_QUEUE_INTERVAL = 31;
    /** Tokio's default (taken from Go): turn the driver every 61 ticks. */
    public static final int DEFAULT_EVENT_INTERVAL = 61;
    /** Tokio's cap on consecutive LIFO-slot polls (tokio-rs/tokio#5712). */
    public static final int DEFAULT_MAX_LIFO_POLLS = 3;
    /** Upper bound of {@link #maxLifoPolls}: the cooperative budget bounds LIFO runs anyway. */
    public static final int MAX_LIFO_POLLS = 128;
    /** Default guaranteed shares: NORMAL at least 25% of polls, BACKGROUND at least 10%. */
    public static final int DEFAULT_NORMAL_SHARE = 25;
    public static final int DEFAULT_BACKGROUND_SHARE = 10;
    /** Largest share a lower lane can be guaranteed, so that higher lanes keep priority. */
    public static final int MAX_LANE_SHARE = 50;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Default {@link #stallThreshold}: a poll of 100 ms is far beyond any healthy one (polls are
     * micro- to milliseconds), and short enough to catch a JDBC call or a sleep on a worker.
     */
    public static final Duration DEFAULT_STALL_THRESHOLD = Duration.ofMillis(100);
    /** Shortest {@link #stallThreshold}: the detector wakes four times per threshold. */
    public static final Duration MIN_STALL_THRESHOLD = Duration.ofMillis(1);
    /** Longest {@link #stallThreshold}. */
    public static final Duration MAX_STALL_THRESHOLD = Duration.ofHours(1);
    /** Smallest {@link #workerStackSize} other than 0: below it HotSpot refuses to start a thread on some platforms. */
    public static final long MIN_WORKER_STACK_SIZE = 128 * 1024;
    /** Largest {@link #workerStackSize}. */
    public static final long MAX_WORKER_STACK_SIZE = 1024L * 1024 * 1024;

    private int workerThreads = Runtime.getRuntime().availableProcessors();
    /** Worker thread names are this followed by the worker index: the separator is part of it. */
    private String threadNamePrefix = "async-runtime-worker-";
    private int globalQueueInterval = DEFAULT_GLOBAL_QUEUE_INTERVAL;
    private int eventInterval = DEFAULT_EVENT_INTERVAL;
    private boolean lifoSlot = true;
    private int maxLifoPolls = DEFAULT_MAX_LIFO_POLLS;
    private final int[] laneShares = new int[Priority.COUNT];
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Clock clock = Clock.system();
    private final List<ContextPropagator<?>> contextPropagators = new ArrayList<>();
    private int maxBlockingThreads = BlockingLimits.DEFAULT_MAX_THREADS;
    private Duration blockingKeepAlive = BlockingLimits.DEFAULT_KEEP_ALIVE;
    private int blockingQueueCapacity = BlockingLimits.DEFAULT_QUEUE_CAPACITY;
    private boolean enableIo = true;
    private Duration stallThreshold = DEFAULT_STALL_THRESHOLD;
    private long workerStackSize;

    RuntimeBuilder() {
        laneShares[Priority.NORMAL.ordinal()] = DEFAULT_NORMAL_SHARE;
        laneShares[Priority.BACKGROUND.ordinal()] = DEFAULT_BACKGROUND_SHARE;
    }

    /** Number of worker threads, 1 to {@value #MAX_WORKER_THREADS}; default: available processors. */
    public RuntimeBuilder workerThreads(int workerThreads) {
        requireRange("workerThreads", workerThreads, 1, MAX_WORKER_THREADS);
        this.workerThreads = workerThreads;
        return this;
    }

    /**
     * Prefix of worker thread names, joined to the worker index with a dash: {@code
     * threadNamePrefix("orders")} names the workers {@code orders-0}, {@code orders-1}, …; not
     * blank. Default: {@code async-runtime-worker}. See {@link #threadNames} for a prefix that
     * carries its own separator.
     */
    public RuntimeBuilder threadNamePrefix(String threadNamePrefix) {
        requireNonBlank("threadNamePrefix", threadNamePrefix);
        this.threadNamePrefix = threadNamePrefix + "-";
        return this;
    }

    /**
     * Names the worker threads {@code prefix} followed by the worker index, with nothing added in
     * between, as the JDK's {@code Thread.Builder.name(prefix, 0)} and Spring's thread name
     * prefixes do: {@code threadNames("orders-")} names the workers {@code orders-0},
     * {@code orders-1}, …; not blank.
     */
    public RuntimeBuilder threadNames(String prefix) {
        requireNonBlank("threadNames prefix", prefix);
        this.threadNamePrefix = prefix;
        return this;
    }

    /**
     * Every this many ticks a worker takes from the inject queue before its own ring, so tasks
     * spawned from outside are not starved by local work; 1 to {@value #MAX_INTERVAL}, default
     * {@value #DEFAULT_GLOBAL_QUEUE_INTERVAL}.
     */
    public RuntimeBuilder globalQueueInterval(int ticks) {
        requireRange("globalQueueInterval", ticks, 1, MAX_INTERVAL);
        this.globalQueueInterval = ticks;
        return this;
    }

    /**
     * Every this many ticks a worker turns the driver (fires due timers, dispatches I/O) without
     * blocking; 1 to {@value #MAX_INTERVAL}, default {@value #DEFAULT_EVENT_INTERVAL}.
     */
    public RuntimeBuilder eventInterval(int ticks) {
        requireRange("eventInterval", ticks, 1, MAX_INTERVAL);
        this.eventInterval = ticks;
        return this;
    }

    /**
     * Turns off the LIFO slot: a task woken by a worker then goes to the back of its ring instead
     * of running next. Costs message-passing locality; useful to compare, or for strict FIFO.
     */
    public RuntimeBuilder disableLifoSlot() {
        this.lifoSlot = false;
        return this;
    }

    /**
     * How many tasks in a row a worker may take from its LIFO slot before it goes back to its
     * ring, 1 to {@value #MAX_LIFO_POLLS}; default {@value #DEFAULT_MAX_LIFO_POLLS}. Higher favours
     * chains of spawns; lower protects queued tasks from ping-pong pairs.
     */
    public RuntimeBuilder maxLifoPolls(int polls) {
        requireRange("maxLifoPolls", polls, 1, MAX_LIFO_POLLS);
        this.maxLifoPolls = polls;
        return this;
    }

    /**
     * The share of polls, in percent, a lower lane is guaranteed on each worker while it has work,
     * however busy the higher lanes are: 1 to {@value #MAX_LANE_SHARE}. Only {@code NORMAL} and
     * {@code BACKGROUND} take a share; {@code HIGH} is always served first. Defaults: NORMAL
     * {@value #DEFAULT_NORMAL_SHARE}, BACKGROUND {@value #DEFAULT_BACKGROUND_SHARE}.
     */
    public RuntimeBuilder laneShare(Priority lane, int percent) {
        if (lane == null) {
            throw new IllegalArgumentException("laneShare lane must be NORMAL or BACKGROUND, got null");
        }
        if (lane == Priority.HIGH) {
            throw new IllegalArgumentException("laneShare lane must be NORMAL or BACKGROUND: HIGH is always served first and takes no share");
        }
        requireRange("laneShare(" + lane + ")", percent, 1, MAX_LANE_SHARE);
        laneShares[lane.ordinal()] = percent;
        return this;
    }

    /** How long {@link AsyncRuntime#close()} waits for workers to stop; positive, default 10 s. */
    public RuntimeBuilder shutdownTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("shutdownTimeout must be a positive duration, got " + timeout);
        }
        this.shutdownTimeout = timeout;
        return this;
    }

    /**
     * The clock the runtime's timers run on; default {@link Clock#system()}. Pass
     * {@link Clock#paused()} in tests: time then moves only when the test advances it, or jumps to
     * the next timer when every worker is idle.
     */
    public RuntimeBuilder clock(Clock clock) {
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null");
        }
        this.clock = clock;
        return this;
    }

    /**
     * Whether the runtime runs an I/O driver (a {@code java.nio.channels.Selector} turned by the
     * worker that parks with the driver), so that {@code io.asyncruntime.net} works on it; default
     * {@code true}. {@code false} parks workers on a plain thread park and saves the selector's
     * file descriptors; network tasks then fail with {@link IllegalStateException}.
     */
    public RuntimeBuilder enableIo(boolean enabled) {
        this.enableIo = enabled;
        return this;
    }

    /**
     * Adds a propagator of thread-bound context (SLF4J's MDC, tracing, Micrometer's context
     * snapshot): every task spawned on the runtime captures it on the spawning thread and runs
     * each poll inside it. Propagators are opened in the order they were added. None by default:
     * spawning then captures only {@link io.asyncruntime.task.TaskLocal} values, and only once one
     * is in use. Use {@link ContextPropagator#slf4jMdc()} to carry the MDC.
     */
    public RuntimeBuilder contextPropagator(ContextPropagator<?> propagator) {
        if (propagator == null) {
            throw new IllegalArgumentException("contextPropagator must not be null");
        }
        contextPropagators.add(propagator);
        return this;
    }

    /**
     * The most threads the runtime's own blocking pool ({@link AsyncRuntime#spawnBlocking}) runs at
     * once: 1 to {@value BlockingLimits#MAX_THREADS}; default {@value BlockingLimits#DEFAULT_MAX_THREADS}
     * (as Tokio). Threads start on demand and exit after {@link #blockingKeepAlive} idle.
     */
    public RuntimeBuilder maxBlockingThreads(int maxBlockingThreads) {
        BlockingLimits.requireMaxThreads("maxBlockingThreads", maxBlockingThreads);
        this.maxBlockingThreads = maxBlockingThreads;
        return this;
    }

    /**
     * How long an idle thread of the runtime's own blocking pool waits for work before it exits:
     * 1 ms to 1 day; default 10 s (as Tokio).
     */
    public RuntimeBuilder blockingKeepAlive(Duration keepAlive) {
        BlockingLimits.requireKeepAlive("blockingKeepAlive", keepAlive);
        this.blockingKeepAlive = keepAlive;
        return this;
    }

    /**
     * How many tasks may wait for a thread of the runtime's own blocking pool before
     * {@link AsyncRuntime#trySpawnBlocking} rejects (and {@link AsyncRuntime#spawnBlocking}'s
     * work waits for room): 0 to {@value BlockingLimits#MAX_QUEUE_CAPACITY}; default
     * {@value BlockingLimits#DEFAULT_QUEUE_CAPACITY}.
     */
    public RuntimeBuilder blockingQueueCapacity(int capacity) {
        BlockingLimits.requireQueueCapacity("blockingQueueCapacity", capacity);
        this.blockingQueueCapacity = capacity;
        return this;
    }

    /**
     * How long a worker may stay inside one task poll before the stall detector reports it (one
     * WARN with the task's name and the worker's stack, a count in the metrics, a JFR event
     * {@code io.asyncruntime.WorkerStall}) and lets the other workers take the task the stalled
     * worker holds in its LIFO slot: 1 ms to 1 h, or {@link Duration#ZERO} to turn the detector off;
     * default 100 ms. Garbage-collection pauses do not count. The detector is one daemon thread
     * that wakes four times per threshold.
     */
    public RuntimeBuilder stallThreshold(Duration threshold) {
        if (threshold == null || !(threshold.isZero() || threshold.compareTo(MIN_STALL_THRESHOLD) >= 0
                && threshold.compareTo(MAX_STALL_THRESHOLD) <= 0)) {
            throw new IllegalArgumentException("stallThreshold must be between 1 ms and 1 h (PT0.001S to PT1H), "
                    + "or zero to turn stall detection off, got " + threshold);
        }
        this.stallThreshold = threshold;
        return this;
    }

    /**
     * The stack size, in bytes, of each worker thread (and of the thread that takes a worker over
     * from {@link AsyncRuntime#blockInPlace}): 0 for the JVM's default ({@code -Xss}, usually
     * 1 MiB on 64-bit Linux), or {@value #MIN_WORKER_STACK_SIZE} to {@value #MAX_WORKER_STACK_SIZE};
     * default 0. As with {@link Thread#Thread(ThreadGroup, Runnable, String, long)}, the JVM treats
     * the value as a request: it rounds it to its page size and may ignore it on some platforms.
     * Raise it for tasks that recurse deeply in one poll (parsers, deep callback chains); lower it
     * only with many workers and a tight memory budget.
     */
    public RuntimeBuilder workerStackSize(long bytes) {
        if (bytes != 0 && (bytes < MIN_WORKER_STACK_SIZE || bytes > MAX_WORKER_STACK_SIZE)) {
            throw new IllegalArgumentException("workerStackSize must be 0 (the JVM's default) or between "
                    + MIN_WORKER_STACK_SIZE + " and " + MAX_WORKER_STACK_SIZE + " bytes (128 KiB to 1 GiB), got " + bytes);
        }
        this.workerStackSize = bytes;
        return this;
    }

    /** Builds and starts the runtime: its worker threads are running when this returns. */
    public AsyncRuntime build() {
        return new AsyncRuntime(this);
    }

    SchedulerConfig schedulerConfig(Runnable onThreadStart, Runnable onThreadStop) {
        return new SchedulerConfig(workerThreads, threadNamePrefix, globalQueueInterval, eventInterval,
                lifoSlot, maxLifoPolls, laneShares.clone(), onThreadStart, onThreadStop, workerStackSize);
    }

    PoolSettings defaultBlockingPool() {
        return new PoolSettings(BlockingPools.DEFAULT_POOL, BlockingPools.defaultThreadNamePrefix(threadNamePrefix()),
                maxBlockingThreads, blockingKeepAlive.toNanos(), blockingQueueCapacity, false);
    }

    /** The stall threshold; zero when detection is off. */
    Duration stallThreshold() {
        return stallThreshold;
    }

    /**
     * The base of the blocking pools' thread names ({@code base-blocking-N}): the worker prefix
     * without the dash that joins it to the worker index, so that workers {@code orders-0} have
     * blocking threads {@code orders-blocking-0}.
     */
    String threadNamePrefix() {
        return threadNamePrefix.endsWith("-") ? threadNamePrefix.substring(0, threadNamePrefix.length() - 1)
                : threadNamePrefix;
    }

    Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    Clock clock() {
        return clock;
    }

    long workerStackSize() {
        return workerStackSize;
    }

    boolean ioEnabled() {
        return enableIo;
    }

    List<ContextPropagator<?>> contextPropagators() {
        return List.copyOf(contextPropagators);
    }

    int eventIntervalTicks() {
        return eventInterval;
    }

    private static void requireNonBlank(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be a non-blank string, got "
                    + (value == null ? "null" : "\"" + value + "\""));
        }
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}

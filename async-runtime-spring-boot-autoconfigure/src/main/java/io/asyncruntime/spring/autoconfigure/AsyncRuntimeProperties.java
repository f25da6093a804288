package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.asyncruntime.AsyncRuntime;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of the auto-configured {@code AsyncRuntime} and of the
 * {@code RuntimeBuilder} bean.
 *
 * <p>Values are handed to the runtime's builder unchanged: the builder owns the allowed ranges,
 * and {@link AsyncRuntimeBuilderConfigurer} reports a value it rejects under the property's name.
 * Defaults are the builder's (a test keeps them equal), written as literals so that the generated
 * metadata shows them.
 */
@ConfigurationProperties("async.runtime")
public class AsyncRuntimeProperties {

    /** Whether to auto-configure an async runtime and manage the runtimes of the context. */
    private boolean enabled = true;

    /**
     * Number of worker threads, from 1 to 32767. Defaults to the number of available
     * processors.
     */
    private Integer workerThreads;

    /**
     * Prefix of the worker thread names, followed by the worker index. Include the separator,
     * as in Spring's thread name prefixes: "orders-" names the workers "orders-0", "orders-1".
     */
    private String threadNamePrefix = "async-runtime-worker-";

    /**
     * Number of scheduler ticks, from 1 to 1000000, after which a worker takes tasks spawned
     * from outside the runtime before its own queue, so that they are not starved.
     */
    private int globalQueueInterval = 31;

    /**
     * Number of scheduler ticks, from 1 to 1000000, after which a busy worker fires due timers
     * and polls I/O without blocking.
     */
    private int eventInterval = 61;

    /**
     * Maximum time to wait for the runtime's workers to stop when it is shut down. Keep it
     * below spring.lifecycle.timeout-per-shutdown-phase, which bounds the runtime's shutdown
     * when the application context closes.
     */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    /**
     * Maximum number of threads, from 1 to 1000000, of the runtime's own blocking pool
     * (spawnBlocking). Threads start on demand and exit after blocking-keep-alive idle.
     */
    private int maxBlockingThreads = 512;

    /**
     * Maximum number of tasks, from 0 to 2147483647, waiting for a thread of the runtime's own
     * blocking pool. Past it, trySpawnBlocking rejects and spawnBlocking's work waits for room.
     */
    private int blockingQueueCapacity = 10000;

    /**
     * Time, from 1ms to 1d, an idle thread of the runtime's own blocking pool waits for work
     * before it exits.
     */
    private Duration blockingKeepAlive = Duration.ofSeconds(10);

    /**
     * Time, from 1ms to 1h, a worker may spend inside one task poll before the stall detector
     * reports it (one WARN with the task's name and the worker's stack, the
     * asyncruntime.stalls counter, a JFR event) while the other workers take over its queued
     * tasks and the timer and I/O driver. 0 turns stall detection off.
     */
    private Duration stallThreshold = Duration.ofMillis(100);

    /**
     * Stack size of each worker thread, from 128KB to 1GB (a request the JVM rounds to its
     * page size). Raise it for tasks that recurse deeply within one poll. Defaults to the JVM's
     * thread stack size (-Xss).
     */
    private DataSize workerStackSize;

    private final Io io = new Io();

    private final Metrics metrics = new Metrics();

    private final Blocking blocking = new Blocking();

    private final LifoSlot lifoSlot = new LifoSlot();

    private final LaneShare laneShare = new LaneShare();

    private final TaskIntegration taskIntegration = new TaskIntegration();

    private final ContextPropagation contextPropagation = new ContextPropagation();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Integer getWorkerThreads() {
        return this.workerThreads;
    }

    public void setWorkerThreads(Integer workerThreads) {
        this.workerThreads = workerThreads;
    }

    public String getThreadNamePrefix() {
        return this.threadNamePrefix;
    }

    public void setThreadNamePrefix(String threadNamePrefix) {
        this.threadNamePrefix = threadNamePrefix;
    }

    public int getGlobalQueueInterval() {
        return this.globalQueueInterval;
    }

    public void setGlobalQueueInterval(int globalQueueInterval) {
        this.globalQueueInterval = globalQueueInterval;
    }

    public int getEventInterval() {
        return this.eventInterval;
    }

    public void setEventInterval(int eventInterval) {
        this.eventInterval = eventInterval;
    }

    public Duration getShutdownTimeout() {
        return this.shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public int getMaxBlockingThreads() {
        return this.maxBlockingThreads;
    }

    public void setMaxBlockingThreads(int maxBlockingThreads) {
        this.maxBlockingThreads = maxBlockingThreads;
    }

    public int getBlockingQueueCapacity() {
        return this.blockingQueueCapacity;
    }

    public void setBlockingQueueCapacity(int blockingQueueCapacity) {
        this.blockingQueueCapacity = blockingQueueCapacity;
    }

    public Duration getBlockingKeepAlive() {
        return this.blockingKeepAlive;
    }

    public void setBlockingKeepAlive(Duration blockingKeepAlive) {
        this.blockingKeepAlive = blockingKeepAlive;
    }

    public Duration getStallThreshold() {
        return this.stallThreshold;
    }

    public void setStallThreshold(Duration stallThreshold) {
        this.stallThreshold = stallThreshold;
    }

    public DataSize getWorkerStackSize() {
        return this.workerStackSize;
    }

    public void setWorkerStackSize(DataSize workerStackSize) {
        this.workerStackSize = workerStackSize;
    }

    public Io getIo() {
        return this.io;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    public Blocking getBlocking() {
        return this.blocking;
    }

    public LifoSlot getLifoSlot() {
        return this.lifoSlot;
    }

    public LaneShare getLaneShare() {
        return this.laneShare;
    }

    public TaskIntegration getTaskIntegration() {
        return this.taskIntegration;
    }

    /**
     * Context propagation into the runtime's tasks.
     * @return the context propagation settings; never null
     */
    public ContextPropagation getContextPropagation() {
        return this.contextPropagation;
    }

    /** The per-worker LIFO slot: a task woken by a worker runs next on that worker. */
    public static class LifoSlot {

        /**
         * Whether a task woken by a worker runs next on that worker, for message-passing
         * locality.
         */
        private boolean enabled = true;

        /**
         * Maximum number of tasks, from 1 to 128, a worker takes from its LIFO slot in a row
         * before it returns to its queue, so that a ping-pong pair cannot starve queued tasks.
         */
        private int maxPolls = 3;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxPolls() {
            return this.maxPolls;
        }

        public void setMaxPolls(int maxPolls) {
            this.maxPolls = maxPolls;
        }

    }

    /**
     * Guaranteed shares of the lower priority lanes. HIGH is always served first and takes no
     * share.
     */
    public static class LaneShare {

        /**
         * Share of polls, in percent from 1 to 50, guaranteed to the NORMAL lane on each worker
         * while it has work.
         */
        private int normal = 25;

        /**
         * Share of polls, in percent from 1 to 50, guaranteed to the BACKGROUND lane on each
         * worker while it has work.
         */
        private int background = 10;

        public int getNormal() {
            return this.normal;
        }

        public void setNormal(int normal) {
            this.normal = normal;
        }

        public int getBackground() {
            return this.background;
        }

        public void setBackground(int background) {
            this.background = background;
        }

    }

    /** Spring's task execution and scheduling on the runtime. */
    public static class TaskIntegration {

        /**
         * Whether the runtime serves as the application's task executor and task scheduler
         * (applicationTaskExecutor, taskExecutor, taskScheduler), so that @Async, @Scheduled and
         * asynchronous MVC requests run on it. Otherwise its executor and scheduler are available
         * only by name: asyncRuntimeExecutor and asyncRuntimeScheduler.
         */
        private boolean enabled;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

    }

    /** The runtime's Micrometer meters. */
    public static class Metrics {

        /**
         * Sample one task poll (its duration) and one schedule (its wait for a worker) in this
         * many, from 1 to 1000000, for the asyncruntime.poll.time and
         * asyncruntime.schedule.latency timers. 0 turns sampling off and leaves both timers out.
         * The default keeps the cost on the busiest workloads below what the scheduler benchmarks
         * can see; a service with little traffic may lower it to get denser percentiles.
         */
        private int pollSamplingInterval = 1024;

        public int getPollSamplingInterval() {
            return this.pollSamplingInterval;
        }

        public void setPollSamplingInterval(int pollSamplingInterval) {
            this.pollSamplingInterval = pollSamplingInterval;
        }

        /**
         * The poll sampling interval, checked.
         * @return the interval, 0 for off
         * @throws InvalidConfigurationPropertyValueException
         * naming the property if it is out of range
         */
        public int checkedPollSamplingInterval() {
            int interval = this.pollSamplingInterval;
            if (interval < 0 || interval > AsyncRuntime.MAX_POLL_SAMPLING_INTERVAL) {
                throw new InvalidConfigurationPropertyValueException(
                        "async.runtime.metrics.poll-sampling-interval", interval,
                        "pollSamplingInterval must be between 1 and " + AsyncRuntime.MAX_POLL_SAMPLING_INTERVAL
                                + ", or 0 to turn poll sampling off, got " + interval);
            }
            return interval;
        }

    }

    /** The runtime's I/O driver. */
    public static class Io {

        /**
         * Whether the runtime runs an I/O driver (one java.nio Selector, turned by the worker
         * that parks with it), so that its TCP and UDP types work. Off, workers park on a plain
         * thread park and the selector's file descriptors are saved; network tasks then fail.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

    }

    /** Context propagation into the runtime's tasks. */
    public static class ContextPropagation {

        /**
         * Whether a task runs with the context of the thread that spawned it (SLF4J's MDC and
         * every thread-local that Micrometer's context-propagation library knows: the current
         * observation and trace, Spring Security's context), carried on into every task it spawns
         * in turn. Applies when io.micrometer:context-propagation is on the class path; costs a
         * capture per spawn and a scope per poll.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

    }

    /** Blocking pools besides the runtime's own. */
    public static class Blocking {

        /**
         * Named blocking pools (bulkheads), each with its own threads, thread cap and queue, so
         * that one kind of blocking work cannot hold up another. Get them from the
         * AsyncRuntimeBlockingPools bean.
         */
        private final Map<String, Pool> pools = new LinkedHashMap<>();

        public Map<String, Pool> getPools() {
            return this.pools;
        }

    }

    /** One named blocking pool. */
    public static class Pool {

        /** Maximum number of threads, from 1 to 1000000, running the pool's work at once. */
        private int maxThreads = 512;

        /**
         * Maximum number of tasks, from 0 to 2147483647, waiting for a thread of the pool. Past
         * it, trySpawnBlocking rejects and spawnBlocking's work waits for room.
         */
        private int queueCapacity = 10000;

        /** Time, from 1ms to 1d, an idle thread of the pool waits for work before it exits. */
        private Duration keepAlive = Duration.ofSeconds(10);

        /**
         * Whether the pool runs its work on virtual threads, on Java 21 and later; on older
         * JVMs it runs on platform threads, with a warning at startup. Max-threads still bounds
         * the work in flight.
         */
        private boolean virtualThreads;

        public int getMaxThreads() {
            return this.maxThreads;
        }

        public void setMaxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
        }

        public int getQueueCapacity() {
            return this.queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        public Duration getKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public boolean isVirtualThreads() {
            return this.virtualThreads;
        }

        public void setVirtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
        }

    }

}

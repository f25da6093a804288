package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the auto-configured {@code AsyncRuntime}.
 *
 * <p>Values are handed to the runtime's builder unchanged: the builder owns the allowed ranges,
 * and {@link InvalidAsyncRuntimePropertyException} reports a rejected value under its property
 * name. Defaults mirror the builder's, so the generated metadata shows them.
 */
@ConfigurationProperties("async.runtime")
public class AsyncRuntimeProperties {

    /** Whether to auto-configure an async runtime. */
    private boolean enabled = true;

    /** Number of worker threads. Defaults to the number of available processors. */
    private Integer workerThreads;

    /** Prefix of the worker thread names. */
    private String threadNamePrefix = "async-runtime-worker";

    /**
     * Number of scheduler ticks after which a worker checks the shared inject queue before its
     * own queue, so tasks spawned from outside the runtime are not starved.
     */
    private int globalQueueInterval = 31;

    /** Number of scheduler ticks after which a worker polls I/O and timers without blocking. */
    private int eventInterval = 61;

    /** Maximum time to wait for the worker threads to stop when the application context shuts down. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    private final LifoSlot lifoSlot = new LifoSlot();

    private final LaneShare laneShare = new LaneShare();

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

    public LifoSlot getLifoSlot() {
        return this.lifoSlot;
    }

    public LaneShare getLaneShare() {
        return this.laneShare;
    }

    /** The per-worker LIFO slot: a task woken by a worker runs next on that worker. */
    public static class LifoSlot {

        /**
         * Whether a task woken by a worker runs next on that worker, for message-passing
         * locality.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

    }

    /** Guaranteed shares of the lower priority lanes, so they never starve. */
    public static class LaneShare {

        /** Share of polls, in percent, guaranteed to the NORMAL lane while it has work. */
        private int normal = 25;

        /** Share of polls, in percent, guaranteed to the BACKGROUND lane while it has work. */
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

}

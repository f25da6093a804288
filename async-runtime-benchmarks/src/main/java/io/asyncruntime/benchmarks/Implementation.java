package io.asyncruntime.benchmarks;

import io.asyncruntime.benchmarks.peers.ExecutorWorkloads;
import io.asyncruntime.benchmarks.peers.ForkJoinWorkloads;
import io.asyncruntime.benchmarks.peers.VirtualThreadWorkloads;
import io.netty.channel.epoll.Epoll;
import java.util.ArrayList;
import java.util.List;

/**
 * The implementations every scheduler workload runs on, in table order: this runtime first, then
 * its peers. The {@link #id} is the value of the JMH {@code impl} parameter.
 */
public enum Implementation {
    ASYNC_RUNTIME("asyncruntime", "async-runtime"),
    FORK_JOIN("forkjoin", "ForkJoinPool"),
    THREAD_POOL("threadpool", "ThreadPoolExecutor"),
    NETTY_NIO("netty_nio", "Netty NIO"),
    NETTY_EPOLL("netty_epoll", "Netty epoll"),
    KOTLIN("kotlin", "Kotlin Default"),
    VIRTUAL_THREADS("virtual", "virtual threads");

    /**
     * Workers (or carrier threads) of every implementation: Tokio's benches use 4 on bigger
     * machines; this project's machines have 2 cores, and every implementation gets the same.
     */
    public static final int WORKER_THREADS = 2;

    /** The JMH {@code impl} parameter value. */
    public final String id;
    /** The column header in the results table. */
    public final String displayName;

    Implementation(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    /** Why this implementation cannot run in this JVM, or {@code null} when it can. */
    public String unavailableReason() {
        switch (this) {
            case NETTY_EPOLL:
                return Epoll.isAvailable() ? null : "Netty epoll is unavailable: " + Epoll.unavailabilityCause();
            case VIRTUAL_THREADS:
                return VirtualThreadWorkloads.unavailableReason();
            default:
                return null;
        }
    }

    /** Starts the implementation's workers. */
    public Workloads start() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException(id + ": " + reason);
        }
        switch (this) {
            case ASYNC_RUNTIME:
                return new AsyncRuntimeWorkloads(WORKER_THREADS);
            case FORK_JOIN:
                return new ForkJoinWorkloads(WORKER_THREADS);
            case THREAD_POOL:
                return ExecutorWorkloads.threadPool(WORKER_THREADS);
            case NETTY_NIO:
                return ExecutorWorkloads.nettyNio(WORKER_THREADS);
            case NETTY_EPOLL:
                return ExecutorWorkloads.nettyEpoll(WORKER_THREADS);
            case KOTLIN:
                return ExecutorWorkloads.kotlinDefault(WORKER_THREADS);
            case VIRTUAL_THREADS:
                return new VirtualThreadWorkloads();
            default:
                throw new AssertionError(this);
        }
    }

    /** The implementation with this JMH parameter value. */
    public static Implementation byId(String id) {
        for (Implementation implementation : values()) {
            if (implementation.id.equals(id)) {
                return implementation;
            }
        }
        throw new IllegalArgumentException("unknown impl '" + id + "'; known: " + ids(List.of(values())));
    }

    /** The implementations that can run in this JVM (virtual threads need JDK 21+). */
    public static List<Implementation> available() {
        List<Implementation> result = new ArrayList<>();
        for (Implementation implementation : values()) {
            if (implementation.unavailableReason() == null) {
                result.add(implementation);
            }
        }
        return result;
    }

    /** The ids, comma-separated. */
    public static String ids(List<Implementation> implementations) {
        StringBuilder ids = new StringBuilder();
        for (Implementation implementation : implementations) {
            ids.append(ids.length() == 0 ? "" : ",").append(implementation.id);
        }
        return ids.toString();
    }
}

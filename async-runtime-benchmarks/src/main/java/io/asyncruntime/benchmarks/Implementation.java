package io.asyncruntime.benchmarks;

import io.asyncruntime.benchmarks.peers.ExecutorWorkloads;
import io.asyncruntime.benchmarks.peers.ForkJoinWorkloads;
import io.asyncruntime.benchmarks.peers.KotlinWorkloads;
import io.asyncruntime.benchmarks.peers.VirtualThreadWorkloads;
import io.netty.channel.epoll.Epoll;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The implementations every scheduler workload runs on, in table order: this runtime first, then
 * the peers the goal is measured against (ForkJoinPool in both modes, Kotlin coroutines), then the
 * other peers, then the single-loop Netty floors. The {@link #id} is the value of the JMH
 * {@code impl} parameter.
 */
public enum Implementation {
    ASYNC_RUNTIME("asyncruntime", "async-runtime", Set.of(), Set.of()),
    /** Async (FIFO) mode: the mode meant for event-style tasks that are never joined. */
    FORK_JOIN("forkjoin", "FJP async", Set.of(), Set.of()),
    /**
     * The default (LIFO) mode. Not for {@code yield_many}: a task that re-forks itself is pushed on
     * top of its own deque and popped straight back, so it never lets the others run (no yield).
     */
    FORK_JOIN_LIFO("forkjoin_lifo", "FJP LIFO", Set.of("yield_many"), Set.of()),
    KOTLIN("kotlin", "Kotlin coroutines", Set.of(), Set.of()),
    /** Netty with every spawned child on {@code group.next()}, as Netty spreads channels over its loops. */
    NETTY_EPOLL_SPREAD("netty_spread", "Netty epoll, spread", Set.of(), Set.of()),
    THREAD_POOL("threadpool", "ThreadPoolExecutor", Set.of(), Set.of()),
    VIRTUAL_THREADS("virtual", "virtual threads", Set.of(), Set.of()),
    /**
     * Netty as code inside a loop uses it ({@code ctx.executor()}): a child stays on its parent's
     * loop, so the workloads that spawn from inside one task run on one thread — a floor on
     * overhead without stealing, shown apart and never counted as the best peer.
     */
    NETTY_NIO("netty_nio", "Netty NIO, 1 loop", Set.of(), Set.of("spawn_many_local", "ping_pong", "chained_spawn")),
    NETTY_EPOLL("netty_epoll", "Netty epoll, 1 loop", Set.of(), Set.of("spawn_many_local", "ping_pong", "chained_spawn"));

    /**
     * Workers (or carrier threads) of every implementation: Tokio's benches use 4 on bigger
     * machines; this project's machines have 2 cores, and every implementation gets the same.
     */
    public static final int WORKER_THREADS = 2;

    /** The JMH {@code impl} parameter value. */
    public final String id;
    /** The column header in the results table. */
    public final String displayName;
    private final Set<String> unsupportedWorkloads;
    private final Set<String> singleThreadedWorkloads;

    Implementation(String id, String displayName, Set<String> unsupportedWorkloads, Set<String> singleThreadedWorkloads) {
        this.id = id;
        this.displayName = displayName;
        this.unsupportedWorkloads = unsupportedWorkloads;
        this.singleThreadedWorkloads = singleThreadedWorkloads;
    }

    /** Whether this implementation has a meaningful form of the workload (a scheduler benchmark method name). */
    public boolean supports(String workload) {
        return !unsupportedWorkloads.contains(workload);
    }

    /**
     * Whether the workload runs on one thread here while the others use every worker: such a
     * figure is a floor, shown apart and never the "best peer".
     */
    public boolean isSingleThreadedFloor(String workload) {
        return singleThreadedWorkloads.contains(workload);
    }

    /** Why this implementation cannot run in this JVM, or {@code null} when it can. */
    public String unavailableReason() {
        switch (this) {
            case NETTY_EPOLL:
            case NETTY_EPOLL_SPREAD:
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
                return new ForkJoinWorkloads(WORKER_THREADS, true);
            case FORK_JOIN_LIFO:
                return new ForkJoinWorkloads(WORKER_THREADS, false);
            case KOTLIN:
                return KotlinWorkloads.start(WORKER_THREADS);
            case NETTY_EPOLL_SPREAD:
                return ExecutorWorkloads.nettyEpollSpread(WORKER_THREADS);
            case THREAD_POOL:
                return ExecutorWorkloads.threadPool(WORKER_THREADS);
            case VIRTUAL_THREADS:
                return new VirtualThreadWorkloads();
            case NETTY_NIO:
                return ExecutorWorkloads.nettyNio(WORKER_THREADS);
            case NETTY_EPOLL:
                return ExecutorWorkloads.nettyEpoll(WORKER_THREADS);
            default:
                throw new AssertionError(this);
        }
    }

    /** The implementation with this JMH parameter value. */
    public static Implementation byId(String id) {
        Implementation found = find(id);
        if (found == null) {
            throw new IllegalArgumentException("unknown impl '" + id + "'; known: " + ids(List.of(values())));
        }
        return found;
    }

    /** The implementation with this id (any case), or {@code null}. */
    public static Implementation find(String id) {
        for (Implementation implementation : values()) {
            if (implementation.id.equalsIgnoreCase(id)) {
                return implementation;
            }
        }
        return null;
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

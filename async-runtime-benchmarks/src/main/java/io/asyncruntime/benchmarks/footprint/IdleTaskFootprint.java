package io.asyncruntime.benchmarks.footprint;

import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.benchmarks.OneShot;
import io.asyncruntime.benchmarks.Workloads;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Heap retained by one idle spawned task: spawn N tasks that each wait for something that never
 * happens, wait until all of them are waiting, and divide the growth of the heap after a full GC
 * by N. Two kinds of idle task ({@link Kind}): waiting on a {@link OneShot} that is never sent
 * (every implementation registers its waiter the way {@code ping_pong} does; the like-for-like
 * figure), and bare pending (registered nowhere, kept by its handle).
 *
 * <p>Run it in a fresh JVM per implementation with a fixed heap, as {@code BenchMain} does
 * ({@code -XX:+UseG1GC -Xms4g -Xmx4g}). G1 because its {@code System.gc()} is a full compaction after
 * which the used heap is the live data: measured here, Serial and Parallel sometimes left ~20 MB of
 * garbage in the baseline (a bimodal 65 / 88 B for the same {@code CompletableFuture}), G1 never did,
 * and {@code jmap -histo:live} agrees with G1's figure. The array that keeps the tasks reachable is allocated
 * before the baseline, so it is not counted; everything the implementation keeps per task
 * (handle, state, queue entries, registrations) is.
 *
 * <p>Usage: {@code IdleTaskFootprint <impl> <tasks> [oneshot|bare]}; prints one line
 * {@code idle_footprint impl=<impl> kind=<kind> tasks=<n> bytesPerTask=<b> spawnMillis=<ms>}.
 */
public final class IdleTaskFootprint {

    /** Spawned and kept before the baseline, so class loading, JIT and queue growth are not counted. */
    static final int WARM_UP_TASKS = 20_000;
    private static final long WAIT_SECONDS = 120;
    /** Full GCs in a row before reading the heap: the second one frees what finalisation-like cleanups released. */
    private static final int GC_ROUNDS = 3;

    /** What an idle task waits on. */
    public enum Kind {
        /** Registered on a {@link OneShot} that is never sent; the caller keeps the OneShot. */
        ONESHOT("oneshot", "idle task waiting on a OneShot"),
        /** Pending and registered nowhere; the caller keeps the task's handle. */
        BARE("bare", "idle task, bare pending");

        /** The command-line and result-line spelling. */
        public final String id;
        /** The row label in the results table. */
        public final String label;

        Kind(String id, String label) {
            this.id = id;
            this.label = label;
        }

        /** The kind spelled {@code id}. */
        public static Kind byId(String id) {
            for (Kind kind : values()) {
                if (kind.id.equals(id)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("kind must be oneshot or bare, was '" + id + "'");
        }
    }

    /** One measurement. */
    public static final class Result {
        public final Implementation implementation;
        public final Kind kind;
        public final int tasks;
        public final double bytesPerTask;
        public final long spawnMillis;

        Result(Implementation implementation, Kind kind, int tasks, double bytesPerTask, long spawnMillis) {
            this.implementation = implementation;
            this.kind = kind;
            this.tasks = tasks;
            this.bytesPerTask = bytesPerTask;
            this.spawnMillis = spawnMillis;
        }

        /** The line {@code main} prints and {@link #parse} reads. */
        public String toLine() {
            return String.format(Locale.ROOT, "idle_footprint impl=%s kind=%s tasks=%d bytesPerTask=%.1f spawnMillis=%d",
                    implementation.id, kind.id, tasks, bytesPerTask, spawnMillis);
        }

        /** Reads a line printed by {@link #toLine}, or returns {@code null} for any other line. */
        public static Result parse(String line) {
            if (!line.startsWith("idle_footprint ")) {
                return null;
            }
            String impl = null;
            Kind kind = Kind.ONESHOT;
            int tasks = 0;
            double bytes = Double.NaN;
            long millis = 0;
            for (String field : line.substring("idle_footprint ".length()).trim().split(" ")) {
                String[] pair = field.split("=", 2);
                switch (pair[0]) {
                    case "impl": impl = pair[1]; break;
                    case "kind": kind = Kind.byId(pair[1]); break;
                    case "tasks": tasks = Integer.parseInt(pair[1]); break;
                    case "bytesPerTask": bytes = Double.parseDouble(pair[1]); break;
                    case "spawnMillis": millis = Long.parseLong(pair[1]); break;
                    default: break;
                }
            }
            return new Result(Implementation.byId(impl), kind, tasks, bytes, millis);
        }
    }

    private IdleTaskFootprint() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: IdleTaskFootprint <impl> <tasks> [oneshot|bare]; impls here: "
                    + Implementation.ids(Implementation.available()));
            System.exit(2);
        }
        Kind kind = args.length == 3 ? Kind.byId(args[2]) : Kind.ONESHOT;
        Result result = measure(Implementation.byId(args[0]), kind, Integer.parseInt(args[1]));
        System.out.println(result.toLine());
        // Idle tasks of some peers (parked virtual threads, Kotlin's daemons) never end: leave now.
        System.exit(0);
    }

    /** Spawns {@code tasks} idle tasks of {@code kind} on a fresh instance of the implementation and measures them. */
    public static Result measure(Implementation implementation, Kind kind, int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, was " + tasks);
        }
        try (Workloads workloads = implementation.start()) {
            long start0 = workloads.waitingTasks();
            Object[] warmUp = new Object[WARM_UP_TASKS];
            spawn(workloads, kind, warmUp);
            awaitWaiting(workloads, start0 + WARM_UP_TASKS, implementation);
            Object[] keep = new Object[tasks];

            long before = usedHeapAfterGc();
            long start = System.nanoTime();
            spawn(workloads, kind, keep);
            awaitWaiting(workloads, start0 + WARM_UP_TASKS + (long) tasks, implementation);
            long spawnMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long after = usedHeapAfterGc();

            Reference.reachabilityFence(warmUp);
            Reference.reachabilityFence(keep);
            return new Result(implementation, kind, tasks, (after - before) / (double) tasks, spawnMillis);
        }
    }

    /** Fills {@code keep} with what keeps each new idle task reachable (its OneShot, or its handle). */
    private static void spawn(Workloads workloads, Kind kind, Object[] keep) {
        for (int i = 0; i < keep.length; i++) {
            if (kind == Kind.ONESHOT) {
                OneShot never = new OneShot();
                workloads.spawnWaitingOn(never);
                keep[i] = never;
            } else {
                keep[i] = workloads.spawnBarePending();
            }
        }
    }

    private static void awaitWaiting(Workloads workloads, long expected, Implementation implementation) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (workloads.waitingTasks() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(implementation.id + ": only " + workloads.waitingTasks() + " of " + expected
                        + " idle tasks started waiting within " + WAIT_SECONDS + " s");
            }
            sleepMillis(1);
        }
        // A task counts itself just before it returns pending / parks: let the last few get there.
        sleepMillis(100);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

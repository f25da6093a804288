package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;

/**
 * Review19 F4: a measuring harness (not a test, run by hand with {@code main}) for how long one
 * spawn or one sweep holds a shard's lock when the shard holds a million idle tasks: a spawn-path
 * step visits at most {@link ShardSweep#SPAWN_SWEEP_STEP} cells (it used to walk a whole cycle,
 * 2L+64 cells, in one spawn), a park's sweep walks up to 64 Ki, and a dump's copy walks
 * everything; each holds the lock, so the owner's spawns (or the dump) wait. Timings here include
 * GC pauses and the shared box's noise: an order of magnitude, not a benchmark.
 */
public final class SpawnPathSweepLatencyHarness {

    public static void main(String[] args) {
        int idle = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        for (int round = 0; round < 3; round++) {
            run(idle);
        }
    }

    private static void run(int idle) {
        TaskRegistry registry = new TaskRegistry(null, 1);
        TaskShard shard = registry.shard(0);
        long worstIdleSpawn = 0;
        for (int i = 0; i < idle; i++) {
            TaskCell<?> cell = new TaskCell<>(shard, Task.never(), Priority.NORMAL);
            long t0 = System.nanoTime();
            shard.register(cell, false);
            worstIdleSpawn = Math.max(worstIdleSpawn, System.nanoTime() - t0);
        }
        // Now short tasks: each spawned and completed (as a stolen task is), never swept by a turn
        // (a task spawning in a loop inside one poll: no driver turn meanwhile).
        long worst = 0;
        long total = 0;
        int spawns = 3 * idle; // several whole cycles of a list of 2 * idle + 64 cells, at 8 cells a spawn
        int maxLinked = 0;
        for (int i = 0; i < spawns; i++) {
            TaskCell<?> cell = new TaskCell<>(shard, Task.never(), Priority.NORMAL);
            long t0 = System.nanoTime();
            shard.register(cell, false);
            long took = System.nanoTime() - t0;
            total += took;
            worst = Math.max(worst, took);
            shard.unregister(cell);
            CancellableCell.STATE.getAndBitwiseOr(cell, TaskState.COMPLETE);
            shard.finished(cell);
            if ((i & 1023) == 0) {
                maxLinked = Math.max(maxLinked, shard.linkedCount());
            }
        }
        String cycles = String.format(" [linked at most ~%d, at the end %d]", maxLinked, shard.linkedCount());
        // A park's sweep of a dirty shard of `idle` cells: 64 Ki cells under the lock.
        TaskCell<?> one = new TaskCell<>(shard, Task.never(), Priority.NORMAL);
        shard.register(one, false);
        shard.unregister(one);
        CancellableCell.STATE.getAndBitwiseOr(one, TaskState.COMPLETE);
        shard.finished(one);
        long p0 = System.nanoTime();
        shard.sweepIfDirty(ShardSweep.PARK_SWEEP_BUDGET);
        long park = System.nanoTime() - p0;
        long d0 = System.nanoTime();
        int copied = shard.snapshotAll().length;
        long dump = System.nanoTime() - d0;
        System.out.printf("idle=%d: worst spawn while linking them %.1f ms; short spawns %d,"
                        + " worst one %.1f ms (mean %.0f ns); park sweep (64 Ki) %.2f ms; snapshotAll of %d %.1f ms;%s%n",
                idle, worstIdleSpawn / 1e6, spawns, worst / 1e6, (double) total / spawns, park / 1e6, copied, dump / 1e6, cycles);
    }
}

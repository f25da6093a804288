package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful shutdown's abort of every task still live (see {@link TaskRegistry#newAbortWalk()}):
 * the cells were copied out of the registry's shards when it was made, and {@link #run()} asks
 * each to cancel, in order, on whichever thread runs it.
 *
 * <p>Aborting an idle task runs its {@link io.asyncruntime.task.Task#cancel() cancel()} right
 * there, and user code may block in it (a resource whose close lingers, a lock held elsewhere),
 * although {@code Task.cancel} is documented not to. So a shutdown runs the walk on a thread of its
 * own and watches it with {@link #awaitFinished}: while the walk makes progress it waits (up to its
 * cap), and once it stops making progress it stops waiting and reports the cells not yet reached as
 * being aborted; the walk goes on with them when the blocked {@code cancel()} returns.
 *
 * <p>Progress is one word, {@code (aborted << 32) | done}, written only by the walking thread, so a
 * reader on another thread sees the two counts of one and the same moment.
 */
public final class AbortWalk implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(AbortWalk.class);

    private static final VarHandle PROGRESS;

    static {
        try {
            PROGRESS = MethodHandles.lookup().findVarHandle(AbortWalk.class, "progress", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TaskCell<?>[] cells;
    private final CountDownLatch finished = new CountDownLatch(1);
    /**
     * {@code (aborted << 32) | done}: cells the walk has finished with, and those of them it
     * cancelled. Single writer (the walking thread); release store and acquire loads, so a reader
     * that sees a count also sees the aborts it counts (the cells' completions happen-before).
     */
    @SuppressWarnings("unused") // through PROGRESS
    private long progress;

    AbortWalk(TaskCell<?>[] cells) {
        this.cells = cells;
    }

    /**
     * A walk over the live cells of {@code shards} now, copied shard by shard under each shard's
     * lock (see {@link TaskShard#snapshotAll}), in shard order, each shard's newest first.
     */
    static AbortWalk ofLiveTasks(TaskShard[] shards) {
        TaskCell<?>[][] perShard = new TaskCell<?>[shards.length][];
        int total = 0;
        for (int i = 0; i < shards.length; i++) {
            perShard[i] = shards[i].snapshotAll();
            total += perShard[i].length;
        }
        TaskCell<?>[] all = new TaskCell<?>[total];
        int at = 0;
        for (TaskCell<?>[] cells : perShard) {
            System.arraycopy(cells, 0, all, at, cells.length);
            at += cells.length;
        }
        return new AbortWalk(all);
    }

    /** Aborts every cell of the walk, in order; each reference is dropped once it is done with. */
    @Override
    public void run() {
        try {
            int aborted = 0;
            for (int i = 0; i < cells.length; i++) {
                TaskCell<?> cell = cells[i];
                cells[i] = null;
                try {
                    if (cell.abortIfLive()) {
                        aborted++;
                    }
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    // The cell was taken over before its cancel() or its completion threw: the shutdown
                    // did cancel it. Go on: one task's failure must not leave the others unaborted.
                    aborted++;
                    log.warn("async-runtime shutdown: aborting task {} failed; the other tasks are aborted all the same",
                            cell.name(), e);
                }
                PROGRESS.setRelease(this, ((long) aborted << 32) | (i + 1));
            }
        } finally {
            finished.countDown();
        }
    }

    /** Tasks the walk was made with (those live when it was made). */
    public int found() {
        return cells.length;
    }

    /** Tasks the walk has finished with so far; {@link #found()} once it has finished. */
    public int done() {
        return (int) (progress() & 0xFFFF_FFFFL);
    }

    /** Of the tasks {@link #done()}, those the walk cancelled (the others had completed, or were being cancelled). */
    public int aborted() {
        return (int) (progress() >>> 32);
    }

    /** Both counts of one moment: {@code [done, aborted]}. */
    public int[] doneAndAborted() {
        long p = progress();
        return new int[] {(int) (p & 0xFFFF_FFFFL), (int) (p >>> 32)};
    }

    private long progress() {
        return (long) PROGRESS.getAcquire(this);
    }

    /** Whether the walk has finished with every cell (if not, it is running, or waits in a cancel() that blocks). */
    public boolean isFinished() {
        return finished.getCount() == 0;
    }

    /**
     * Waits until the walk has finished or {@code deadlineNanos} ({@link System#nanoTime()} based)
     * passes; returns whether it finished. An interrupt does not end the wait (a shutdown called
     * from an interrupted thread still has to wait); the flag is set again before returning.
     */
    public boolean awaitFinished(long deadlineNanos) {
        boolean interrupted = false;
        try {
            for (;;) {
                long left = deadlineNanos - System.nanoTime();
                try {
                    return finished.await(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

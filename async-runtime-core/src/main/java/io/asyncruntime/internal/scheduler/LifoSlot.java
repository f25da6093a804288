package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's LIFO slot: the one task woken by the worker's own poll that runs right after it
 * (see {@link Worker}). {@link WorkerQueues}, and through it {@link Worker}, extends it rather
 * than holding one, so the hot path reaches the slot with no field hop; it is a class of its own
 * so that {@code LifoSlotLincheckTest} can check it alone.
 *
 * <p>Who writes the slot:
 * <ul>
 *   <li>the owner (the thread running the worker) fills it ({@link #swapLifoSlot}) and takes it
 *       ({@link #takeLifoSlot}, and {@link #stealLifoSlot} when it cancels its queues at shutdown);
 *       after a {@code blockInPlace} hand-over the owner is the replacement thread, and the old one
 *       never touches the slot again ({@code Thread.start} orders the two);</li>
 *   <li>a thief of a stalled worker ({@link WorkerHandOver#stealFromStalledLifoSlot}) and the
 *       shutdown, for a worker stuck in a poll ({@code Scheduler.cancelQueuedOfStuckWorker}), only
 *       empty it, with an atomic exchange ({@link #stealLifoSlot}).</li>
 * </ul>
 * A task is never taken twice: every take is an atomic exchange with null.
 */
abstract class LifoSlot extends HeadPadding {

    /** The slot, {@link #lifoSlot}: opaque reads and atomic exchanges (see the class comment). */
    private static final VarHandle LIFO_SLOT;

    static {
        try {
            LIFO_SLOT = MethodHandles.lookup().findVarHandle(LifoSlot.class, "lifoSlot", ScheduledTask.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Through {@link #LIFO_SLOT} only. */
    @SuppressWarnings("unused")
    private ScheduledTask lifoSlot;

    /** The LIFO slot's task, taken; null if empty (or a thief of a stalled worker took it). Owner only. */
    final ScheduledTask takeLifoSlot() {
        if (LIFO_SLOT.getOpaque(this) == null) {
            return null;                     // the common case: no exchange
        }
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, null);
    }

    /** Puts {@code task} in the LIFO slot and returns what it held (null if empty). Owner only. */
    final ScheduledTask swapLifoSlot(ScheduledTask task) {
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, task);
    }

    /** Takes the LIFO slot's task whoever holds the worker: a thief of a stalled worker, or the shutdown. */
    final ScheduledTask stealLifoSlot() {
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, null);
    }

    /** The LIFO slot's task, or null; any thread, racy (opaque), for a task dump. */
    final ScheduledTask peekLifoSlot() {
        return (ScheduledTask) LIFO_SLOT.getOpaque(this);
    }

    /** Whether the LIFO slot holds a task; any thread. */
    final boolean hasTaskInLifoSlot() {
        return LIFO_SLOT.getOpaque(this) != null;
    }

    /** The lane of the task in the LIFO slot, or {@link Priority#COUNT} if it is empty. */
    final int lifoSlotLane() {
        ScheduledTask inSlot = (ScheduledTask) LIFO_SLOT.getOpaque(this);
        return inSlot != null ? inSlot.lane() : Priority.COUNT;
    }
}

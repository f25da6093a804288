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
 * A task is never taken twice: every take is an atomic exchange with null. A task is never lost:
 * only the owner writes a non-null value, and it fills an occupied slot by exchange, so what it
 * displaces is the task it returns ({@link #swapLifoSlot}).
 */
abstract class LifoSlot {

    /** The slot, {@link #lifoSlot}: opaque reads, atomic exchanges, and the owner's release fill of an empty slot. */
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

    /**
     * Puts {@code task} in the LIFO slot and returns what it held (null if empty). Owner only.
     *
     * <p>An empty slot is filled with a release store, not an exchange (one locked instruction
     * less per wake: ~10 % of ping_pong's CPU by JFR). Invariant: <b>only the owner writes a
     * non-null value</b>; every other write is an exchange with null. So once the owner's opaque
     * read sees null, the slot stays null until the owner's own store: a thief's or the shutdown's
     * exchange in between reads null and writes null, and takes nothing; one after the store takes
     * the task, exactly once. The read must be at least opaque: that gives coherence on this one
     * variable, so it never returns a value older than the owner's own last write (a fill it then
     * overwrote, losing that task). It needs no acquire: the thieves publish nothing to the owner.
     * The store is a release, so a thief whose exchange (volatile, so acquire) takes the task sees
     * it as it was queued. A non-null read may be stale (a thief took it since) or current; either
     * way a thief may take it now, so that case exchanges.
     *
     * <p>The exchange's full fence ordered nothing else that is relied on. The owner reads the
     * stall mark before it fills the slot ({@code Worker.schedule}), so no store orders the fill
     * after a mark set meanwhile: a thief the mark woke may look before either store lands, and
     * the task then runs once the marked poll returns, with the exchange as without it. A worker
     * stuck in a poll that fills the slot after the shutdown emptied it cancels the task itself
     * once that poll returns ({@code WorkerQueues.cancelQueuedOnShutdown}), also as before.
     */
    final ScheduledTask swapLifoSlot(ScheduledTask task) {
        if (LIFO_SLOT.getOpaque(this) == null) {
            LIFO_SLOT.setRelease(this, task);
            return null;
        }
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, task);
    }

    /** Takes the LIFO slot's task whoever holds the worker: a thief of a stalled worker, or the shutdown. */
    final ScheduledTask stealLifoSlot() {
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, null);
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

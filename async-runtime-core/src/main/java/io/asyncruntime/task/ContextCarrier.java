package io.asyncruntime.task;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * The spawn-side half of {@link TaskLocal} inheritance and {@link ContextPropagator}s: captures,
 * on the spawning thread, the context a new task must carry, and wraps the task so that each of
 * its polls runs inside that context. A runtime builds one carrier from its propagators and passes
 * every task it spawns through {@link #carry}; users need {@code TaskLocal} and
 * {@code ContextPropagator} only.
 *
 * <p>When there is nothing to carry (no propagator, and no task-local bound on the spawning
 * thread) {@link #carry} returns the task itself: the spawn path pays one static read.
 */
public final class ContextCarrier {

    private static final ContextCarrier NONE = new ContextCarrier(new ContextPropagator<?>[0]);

    private final ContextPropagator<?>[] propagators;

    private ContextCarrier(ContextPropagator<?>[] propagators) {
        this.propagators = propagators;
    }

    /** A carrier of task-locals only. */
    public static ContextCarrier none() {
        return NONE;
    }

    /**
     * A carrier of task-locals and of what {@code propagators} capture, installed in list order
     * around each poll (and removed in reverse order).
     *
     * @param propagators not null, no null elements
     */
    public static ContextCarrier of(List<? extends ContextPropagator<?>> propagators) {
        if (propagators == null) {
            throw new NullPointerException("propagators must not be null");
        }
        if (propagators.isEmpty()) {
            return NONE;
        }
        ContextPropagator<?>[] array = propagators.toArray(new ContextPropagator<?>[0]);
        for (int i = 0; i < array.length; i++) {
            if (array[i] == null) {
                throw new NullPointerException("propagator at index " + i + " is null");
            }
        }
        return new ContextCarrier(array);
    }

    /** Whether a task spawned from the calling thread now would carry any context. */
    public boolean hasContextToCarry() {
        return propagators.length != 0 || TaskLocalBindings.current() != null;
    }

    /**
     * Captures the calling thread's context for {@code task}: returns {@code task} itself when
     * there is nothing to carry, else a task that installs the captured context around each of its
     * polls and its {@code cancel}. Call it on the spawning thread, once per spawn.
     *
     * @param task not null
     */
    public <T> Task<T> carry(Task<T> task) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        TaskLocalBindings.Binding bindings = TaskLocalBindings.current();
        if (bindings == null && propagators.length == 0) {
            return task;
        }
        Object[] captured = new Object[propagators.length];
        for (int i = 0; i < propagators.length; i++) {
            captured[i] = propagators[i].capture();
        }
        return new CarriedTask<>(task, bindings, propagators, captured);
    }

    /**
     * Captures the calling thread's context for blocking {@code work} (what
     * {@code AsyncRuntime.spawnBlocking} and the blocking pools run on their own threads): returns
     * {@code work} itself when there is nothing to carry, else a callable that runs {@code work}
     * inside the captured context, as {@link #carry(Task)} does for a task's poll, and restores the
     * blocking thread's own context after it. Call it on the spawning thread, once per spawn.
     *
     * @param work not null
     */
    public <T> Callable<T> carryBlocking(Callable<T> work) {
        if (work == null) {
            throw new NullPointerException("work must not be null");
        }
        if (!hasContextToCarry()) {
            return work;
        }
        return new CarriedCall<>(carry(Task.call(work)), work);
    }

    @Override
    public String toString() {
        return "ContextCarrier" + List.of(propagators);
    }
}

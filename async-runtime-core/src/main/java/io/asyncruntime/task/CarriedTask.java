package io.asyncruntime.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spawned task with the context its spawner had ({@link ContextCarrier#carry}): task-local
 * bindings and what each propagator captured, installed around every poll and around
 * {@code cancel}, then removed, on whichever thread that happens. Poll and cancel never run
 * concurrently (the {@link Task} contract), so the scope array is reused without allocation.
 */
final class CarriedTask<T> implements Task<T> {

    private static final Logger log = LoggerFactory.getLogger(CarriedTask.class);

    private final Task<T> inner;
    /** The spawner's task-local bindings; null if it had none. */
    private final TaskLocalBindings.Binding bindings;
    private final ContextPropagator<?>[] propagators;
    private final Object[] captured;
    /** The scopes of the poll in progress; owned by the poller. */
    private final ContextPropagator.Scope[] scopes;

    CarriedTask(Task<T> inner, TaskLocalBindings.Binding bindings, ContextPropagator<?>[] propagators, Object[] captured) {
        this.inner = inner;
        this.bindings = bindings;
        this.propagators = propagators;
        this.captured = captured;
        this.scopes = new ContextPropagator.Scope[propagators.length];
    }

    @Override
    public Poll<T> poll(Context cx) throws Exception {
        TaskLocalBindings.Binding outer = enterBindings();
        int opened = 0;
        try {
            for (; opened < propagators.length; opened++) {
                scopes[opened] = open(opened);
            }
            return inner.poll(cx);
        } finally {
            closeScopes(opened);
            exitBindings(outer);
        }
    }

    @Override
    public void cancel() {
        TaskLocalBindings.Binding outer = enterBindings();
        int opened = 0;
        try {
            for (; opened < propagators.length; opened++) {
                scopes[opened] = open(opened);
            }
            inner.cancel();
        } finally {
            closeScopes(opened);
            exitBindings(outer);
        }
    }

    /**
     * Installs the carried bindings. A task carried for its propagators alone leaves the
     * thread-local untouched: between polls a worker holds no bindings, so there is nothing to
     * hide, and not touching it keeps task-locals free until someone uses one.
     */
    private TaskLocalBindings.Binding enterBindings() {
        return bindings == null ? null : TaskLocalBindings.install(bindings);
    }

    private void exitBindings(TaskLocalBindings.Binding outer) {
        if (bindings != null) {
            TaskLocalBindings.restore(outer);
        }
    }

    @SuppressWarnings("unchecked")
    private ContextPropagator.Scope open(int index) {
        ContextPropagator.Scope scope = ((ContextPropagator<Object>) propagators[index]).open(captured[index]);
        if (scope == null) {
            throw new NullPointerException("ContextPropagator " + propagators[index] + " returned a null scope from open");
        }
        return scope;
    }

    /**
     * Closes the opened scopes, last first. A scope that throws is logged and the others are
     * still closed: failing the task for it would turn a finished poll into a failure.
     */
    private void closeScopes(int opened) {
        for (int i = opened - 1; i >= 0; i--) {
            ContextPropagator.Scope scope = scopes[i];
            scopes[i] = null;
            try {
                scope.close();
            } catch (RuntimeException | Error e) {
                log.warn("closing the scope of context propagator {} threw; the thread's context may not be restored",
                        propagators[i], e);
            }
        }
    }

    @Override
    public String toString() {
        return "CarriedTask[" + inner + "]";
    }
}

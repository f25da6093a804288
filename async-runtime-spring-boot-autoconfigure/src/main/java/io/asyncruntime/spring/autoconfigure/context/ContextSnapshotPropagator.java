package io.asyncruntime.spring.autoconfigure.context;

import io.asyncruntime.task.ContextPropagator;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * A {@link ContextPropagator} backed by Micrometer's context-propagation library: at each spawn
 * it captures every thread-local a registered {@code ThreadLocalAccessor} knows (the current
 * {@code Observation} and with it the trace, Spring Security's {@code SecurityContext}, Reactor's
 * and the application's own accessors), and around each poll of the task it restores them, as
 * Boot's {@code ContextPropagatingTaskDecorator} does for its executors. A task spawned from that
 * task captures them again on its worker, so the context follows every task it spawns.
 *
 * <p>Thread-safe: the factory is immutable, and each snapshot is opened and closed on one worker.
 */
public final class ContextSnapshotPropagator implements ContextPropagator<ContextSnapshot> {

    private final ContextSnapshotFactory snapshots;

    /** A propagator with the default factory: every accessor of the global registry, nothing cleared. */
    public ContextSnapshotPropagator() {
        this(ContextSnapshotFactory.builder().build());
    }

    /**
     * A propagator with a factory of the application's.
     * @param snapshots captures and restores the context; not null
     */
    public ContextSnapshotPropagator(ContextSnapshotFactory snapshots) {
        if (snapshots == null) {
            throw new IllegalArgumentException("snapshots must not be null");
        }
        this.snapshots = snapshots;
    }

    /**
     * Captures the spawning thread's context.
     * @return the snapshot; never null
     */
    @Override
    public ContextSnapshot capture() {
        return this.snapshots.captureAll();
    }

    /**
     * Installs a captured context on the worker for one poll.
     * @param captured what {@link #capture()} returned; null installs nothing
     * @return the scope that puts the worker's previous values back; never null
     */
    @Override
    public Scope open(ContextSnapshot captured) {
        if (captured == null) {
            return () -> { };
        }
        ContextSnapshot.Scope scope = captured.setThreadLocals();
        return scope::close;
    }

    @Override
    public String toString() {
        return "ContextSnapshotPropagator";
    }

}

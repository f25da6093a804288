package io.asyncruntime.task;

import java.util.Map;

/**
 * Carries thread-bound context (SLF4J's MDC, a tracing span, Micrometer's
 * {@code ContextSnapshot}) from the thread that spawns a task to every poll of that task, on
 * whichever worker runs it. Register propagators on the runtime's builder
 * ({@code RuntimeBuilder.contextPropagator}); the runtime calls {@link #capture()} on the spawning
 * thread when a task is spawned, and around each poll of that task {@link #open} with what was
 * captured, closing the returned scope when the poll returns. {@link TaskLocal} values travel the
 * same way without a propagator.
 *
 * <p>A Micrometer context-propagation bridge, for example, captures a {@code ContextSnapshot} and
 * opens its {@code setThreadLocals()} scope; {@link #slf4jMdc()} copies the MDC map.
 *
 * <p>Cost: with no propagator registered (and no {@code TaskLocal} bound) spawning carries
 * nothing and pays nothing. With one, every spawn calls {@code capture} and every poll calls
 * {@code open} and {@code close}, so both should be cheap and must not block. Implementations
 * must be thread-safe: captures run on any thread, scopes on workers.
 *
 * @param <C> what {@link #capture()} returns
 */
public interface ContextPropagator<C> {

    /**
     * Captures, on the thread that spawns a task, the context that task should run with.
     *
     * @return the captured context; {@code null} is allowed and is passed to {@link #open} as is
     */
    C capture();

    /**
     * Installs {@code captured} on the current thread for one poll of the task, and returns the
     * scope whose {@link Scope#close()} restores what the thread had before. Called on a worker
     * before each poll (and before the task is cancelled); the scope is closed on the same thread
     * after the poll, also when the poll throws.
     *
     * @param captured what {@link #capture()} returned at spawn, possibly {@code null}
     * @return the scope to close after the poll; never {@code null}
     */
    Scope open(C captured);

    /** What {@link #open} installed, removed again by {@link #close()}. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        /** Restores the thread's context as it was before {@link #open}; does not throw checked exceptions. */
        @Override
        void close();
    }

    /**
     * A propagator for SLF4J's MDC: each task runs with a copy of the MDC its spawner had, and the
     * worker's MDC is restored (cleared) after each poll, so values a task puts in the MDC never
     * leak into the next task on that worker.
     */
    static ContextPropagator<Map<String, String>> slf4jMdc() {
        return new MdcPropagator(org.slf4j.MDC.getMDCAdapter());
    }
}

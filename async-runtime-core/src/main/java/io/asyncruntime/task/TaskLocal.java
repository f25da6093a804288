package io.asyncruntime.task;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A value scoped to a task, and inherited by the tasks it spawns (Tokio's {@code task_local!}, plus
 * inheritance, which Tokio does not have). A task reads it with {@link #get()} on whichever worker
 * polls it; the tasks it spawns start with the values it had when it spawned them.
 *
 * <pre>{@code
 * static final TaskLocal<String> REQUEST_ID = new TaskLocal<>("requestId");
 *
 * runtime.spawn(REQUEST_ID.scope("r-42", handle(request)));     // inside: REQUEST_ID.get() is "r-42"
 * REQUEST_ID.runWith("r-43", () -> runtime.spawn(work()));      // work() inherits "r-43"
 * }</pre>
 *
 * <p>A binding is visible during the polls of the task it scopes (and of tasks composed inside
 * it), and on the thread of {@link #runWith}/{@link #callWith} for the call; nowhere else: workers
 * carry no binding between polls. Scopes nest, the innermost binding of a local wins. A spawned
 * task keeps the bindings of its spawner at the moment of the spawn; later changes on either side
 * do not cross. Values are shared, not copied: make them immutable.
 *
 * <p>Cost: until a task-local is first bound in this JVM, spawning reads one static flag and
 * carries nothing; afterwards each spawn reads one thread-local, and a task that carries bindings
 * is wrapped once and sets a thread-local around each poll. For context kept in other
 * thread-locals (SLF4J's MDC, tracing), register a {@link ContextPropagator} on the runtime.
 *
 * @param <T> the value type; values are never null
 */
public final class TaskLocal<T> {

    private final String name;

    /**
     * A task-local with a name, used in error messages.
     *
     * @param name not null
     */
    public TaskLocal(String name) {
        if (name == null) {
            throw new NullPointerException("name must not be null");
        }
        this.name = name;
    }

    /** The name given at construction. */
    public String name() {
        return name;
    }

    /**
     * A task that runs {@code task} with this local bound to {@code value}: during each of its
     * polls {@link #get()} returns {@code value}, and tasks spawned in those polls inherit it.
     *
     * @param value not null
     * @param task not null
     */
    public <R> Task<R> scope(T value, Task<R> task) {
        requireValue(value);
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        return new ScopedTask<>(this, value, task);
    }

    /**
     * Runs {@code action} on the calling thread with this local bound to {@code value}; tasks it
     * spawns inherit the binding. For seeding context from plain threads (a servlet request).
     *
     * @param value not null
     * @param action not null
     */
    public void runWith(T value, Runnable action) {
        requireValue(value);
        if (action == null) {
            throw new NullPointerException("action must not be null");
        }
        TaskLocalBindings.Binding outer = TaskLocalBindings.install(TaskLocalBindings.with(this, value));
        try {
            action.run();
        } finally {
            TaskLocalBindings.restore(outer);
        }
    }

    /**
     * Calls {@code action} on the calling thread with this local bound to {@code value} and returns
     * its result (see {@link #runWith}).
     *
     * @param value not null
     * @param action not null
     * @throws Exception whatever {@code action} throws
     */
    public <R> R callWith(T value, Callable<R> action) throws Exception {
        requireValue(value);
        if (action == null) {
            throw new NullPointerException("action must not be null");
        }
        TaskLocalBindings.Binding outer = TaskLocalBindings.install(TaskLocalBindings.with(this, value));
        try {
            return action.call();
        } finally {
            TaskLocalBindings.restore(outer);
        }
    }

    /**
     * The value bound in the current task (or {@link #runWith} call).
     *
     * @throws IllegalStateException if none is bound here
     */
    public T get() {
        Object value = TaskLocalBindings.lookup(this);
        if (value == null) {
            throw new IllegalStateException("task-local \"" + name + "\" is not set in the current task (thread \""
                    + Thread.currentThread().getName() + "\"): bind it with scope(value, task) or runWith(value, action)");
        }
        @SuppressWarnings("unchecked")
        T typed = (T) value;
        return typed;
    }

    /** The value bound in the current task, or empty if none is. */
    public Optional<T> tryGet() {
        @SuppressWarnings("unchecked")
        T value = (T) TaskLocalBindings.lookup(this);
        return Optional.ofNullable(value);
    }

    /** Whether a value is bound in the current task. */
    public boolean isSet() {
        return TaskLocalBindings.lookup(this) != null;
    }

    private void requireValue(T value) {
        if (value == null) {
            throw new NullPointerException("value of task-local \"" + name + "\" must not be null");
        }
    }

    @Override
    public String toString() {
        return "TaskLocal[" + name + "]";
    }

    /**
     * {@link #scope}: binds the value around each poll (and around {@code cancel}). The binding
     * node is made once per distinct outer binding set (normally once), so polls allocate nothing.
     */
    private static final class ScopedTask<T, R> implements Task<R> {
        private final TaskLocal<T> local;
        private final T value;
        private final Task<R> inner;
        private TaskLocalBindings.Binding outerSeen;
        private TaskLocalBindings.Binding mine;

        ScopedTask(TaskLocal<T> local, T value, Task<R> inner) {
            this.local = local;
            this.value = value;
            this.inner = inner;
        }

        private TaskLocalBindings.Binding enter() {
            TaskLocalBindings.Binding outer = TaskLocalBindings.current();
            if (mine == null || outer != outerSeen) {
                outerSeen = outer;
                mine = new TaskLocalBindings.Binding(local, value, outer);
            }
            TaskLocalBindings.install(mine);
            return outer;
        }

        @Override
        public Poll<R> poll(Context cx) throws Exception {
            TaskLocalBindings.Binding outer = enter();
            try {
                return inner.poll(cx);
            } finally {
                TaskLocalBindings.restore(outer);
            }
        }

        @Override
        public void cancel() {
            TaskLocalBindings.Binding outer = enter();
            try {
                inner.cancel();
            } finally {
                TaskLocalBindings.restore(outer);
            }
        }
    }
}

package io.asyncruntime.task;

/**
 * Where task-local values live: one thread-local holding an immutable list of bindings, innermost
 * first. A task's polls install its list and put the previous one back afterwards, so a worker
 * holds no binding between polls.
 *
 * <p><b>Zero cost until used.</b> {@link #used} is a plain static flag, set by the first thread
 * that installs a binding list. Every thread that can have a list installed has itself set the
 * flag before installing it (program order), so it reads {@code true} from then on; a thread that
 * reads {@code false} therefore has nothing installed and may skip the thread-local lookup. Other
 * threads need not see the write: the flag is only a shortcut for "this thread has nothing".
 */
final class TaskLocalBindings {

    private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();
    private static boolean used;

    private TaskLocalBindings() {
    }

    /** One binding of a list: a local, its value, and the bindings it is nested in. */
    static final class Binding {
        final TaskLocal<?> local;
        final Object value;
        final Binding outer;

        Binding(TaskLocal<?> local, Object value, Binding outer) {
            this.local = local;
            this.value = value;
            this.outer = outer;
        }
    }

    /** The calling thread's bindings; null when it has none (without a lookup until first use). */
    static Binding current() {
        return used ? CURRENT.get() : null;
    }

    /** The current bindings with {@code local} bound to {@code value} on top. */
    static Binding with(TaskLocal<?> local, Object value) {
        return new Binding(local, value, current());
    }

    /** Installs {@code bindings} on the calling thread; returns what was there, for {@link #restore}. */
    static Binding install(Binding bindings) {
        if (!used) {
            used = true; // before the thread-local write: see the class comment
        }
        Binding previous = CURRENT.get();
        CURRENT.set(bindings);
        return previous;
    }

    /** Puts back what {@link #install} returned. */
    static void restore(Binding previous) {
        CURRENT.set(previous);
    }

    /** The innermost value bound to {@code local} on the calling thread, or null. */
    static Object lookup(TaskLocal<?> local) {
        for (Binding b = current(); b != null; b = b.outer) {
            if (b.local == local) {
                return b.value;
            }
        }
        return null;
    }
}

package io.asyncruntime.task;

import java.util.concurrent.Callable;

/** The simplest leaf tasks: a ready value, a ready failure, a deferred call, a yield, never. */
final class Leaves {

    private Leaves() {
    }

    /** A task that is ready with a value on its first poll. */
    static final class Completed<T> implements Task<T> {
        private final T value;

        Completed(T value) {
            this.value = value;
        }

        @Override
        public Poll<T> poll(Context cx) {
            return Poll.ready(value);
        }

        @Override
        public String toString() {
            return "Task.completed(" + value + ")";
        }
    }

    /** A task that fails with a given exception on its first poll. */
    static final class Failed<T> implements Task<T> {
        private final Throwable failure;

        Failed(Throwable failure) {
            if (failure == null) {
                throw new NullPointerException("failure must not be null");
            }
            this.failure = failure;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            throw Failures.rethrow(failure);
        }
    }

    /** A task that runs a callable on its first poll, on the thread that polls it. */
    static final class Call<T> implements Task<T> {
        private final Callable<? extends T> callable;

        Call(Callable<? extends T> callable) {
            if (callable == null) {
                throw new NullPointerException("callable must not be null");
            }
            this.callable = callable;
        }

        @Override
        public Poll<T> poll(Context cx) throws Exception {
            return Poll.ready(callable.call());
        }
    }

    /** A task that runs a runnable on its first poll and completes with {@code null}. */
    static final class Run implements Task<Void> {
        private final Runnable runnable;

        Run(Runnable runnable) {
            if (runnable == null) {
                throw new NullPointerException("runnable must not be null");
            }
            this.runnable = runnable;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            runnable.run();
            return Poll.ready(null);
        }
    }

    /**
     * Returns pending once, asking to be polled again after the other runnable tasks, then
     * completes. The re-poll goes to the back of the worker's queue, never to its LIFO slot: a
     * yield through the LIFO slot would be a no-op that starves everyone else.
     */
    static final class YieldNow implements Task<Void> {
        private boolean yielded;

        @Override
        public Poll<Void> poll(Context cx) {
            if (yielded) {
                return Poll.ready(null);
            }
            yielded = true;
            cx.requestYield();
            return Poll.pending();
        }
    }

    /** A task that never completes and registers nothing: it ends only when cancelled. */
    static final class Never<T> implements Task<T> {
        /** Never holds no state, so one instance serves every caller: an idle task costs its cell only. */
        static final Never<?> INSTANCE = new Never<>();

        @Override
        public Poll<T> poll(Context cx) {
            return Poll.pending();
        }
    }
}

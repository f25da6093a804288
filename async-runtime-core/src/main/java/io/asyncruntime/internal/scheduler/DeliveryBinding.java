package io.asyncruntime.internal.scheduler;

import java.util.Objects;

/**
 * How a deep stage callback, handed to another thread ({@link CallbackHandOff}), keeps the
 * runtime binding of the thread that delivered it: {@code StageForwarding} promises that callbacks
 * run where the task completes, and there {@code AsyncRuntime.current()} and the timers work.
 *
 * <p>The binding itself (which runtime, its time and I/O drivers) belongs to the root package;
 * {@code internal} must not depend on it (no package cycle), so the root package installs a
 * {@link Binder} here once, and this class only carries its opaque tokens. Until one is installed
 * nothing is captured and nothing bound.
 */
public final class DeliveryBinding {

    /**
     * Captures and applies a thread's runtime binding. Implementations are stateless and
     * thread-safe; tokens are opaque to {@code internal}.
     */
    public interface Binder {
        /**
         * Returns the calling thread's binding, or {@code null} when it has none.
         *
         * @return a token for {@link #bind}, nullable
         */
        Object capture();

        /**
         * Binds the calling thread as {@code captured} describes and returns what to restore.
         *
         * @param captured a non-null token from {@link #capture()}
         * @return a token for {@link #restore}, nullable
         */
        Object bind(Object captured);

        /**
         * Undoes {@link #bind} on the calling thread.
         *
         * @param previous what {@link #bind} returned, nullable
         */
        void restore(Object previous);
    }

    private static volatile Binder binder;

    private DeliveryBinding() {
    }

    /**
     * Installs the binder; the last installed wins (there is one, the root package's).
     *
     * @param installed non-null
     */
    public static void install(Binder installed) {
        binder = Objects.requireNonNull(installed, "installed");
    }

    /** Wraps {@code userCode} so that it runs with the calling thread's binding, wherever it runs. */
    static Runnable bindToCaller(Runnable userCode) {
        Binder b = binder;
        Object captured = b == null ? null : b.capture();
        if (captured == null) {
            return userCode;
        }
        return () -> {
            Object previous = b.bind(captured);
            try {
                userCode.run();
            } finally {
                b.restore(previous);
            }
        };
    }
}

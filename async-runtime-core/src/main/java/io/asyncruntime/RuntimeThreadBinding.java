package io.asyncruntime;

import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.scheduler.DeliveryBinding;
import io.asyncruntime.internal.time.TimeDriver;

/**
 * Which runtime a thread belongs to: the thread-local behind {@link AsyncRuntime#current()}, bound
 * together with that runtime's time and I/O drivers so that the timers ({@code Time.sleep} …) and
 * the net types work on the thread too. Two kinds of binding:
 * <ul>
 *   <li>for the thread's lifetime, on the threads the runtime owns (its workers and its
 *       blocking-pool threads): each runs {@link #bindForLife} first and {@link #unbindForLife}
 *       last;</li>
 *   <li>around one call ({@link AsyncRuntime#blockOn}, and a deep stage callback handed to another
 *       thread through {@link DeliveryBinding}): {@link #bindAround} returns what the thread had
 *       bound, and {@link #restore} puts exactly that back.</li>
 * </ul>
 */
final class RuntimeThreadBinding {

    private static final ThreadLocal<AsyncRuntime> CURRENT = new ThreadLocal<>();

    /** What {@link AsyncRuntime} installs into {@link DeliveryBinding}, once. */
    static final DeliveryBinding.Binder DELIVERY_BINDER = new DeliveryBinder();

    private RuntimeThreadBinding() {
    }

    /** The calling thread's runtime, or {@code null} when it belongs to none. */
    static AsyncRuntime current() {
        return CURRENT.get();
    }

    /** Binds the calling thread to {@code runtime} for the thread's lifetime. */
    static void bindForLife(AsyncRuntime runtime) {
        CURRENT.set(runtime);
        TimeDriver.bind(runtime.timeDriver());
        IoDriver.bind(runtime.ioDriver());
    }

    /** Undoes {@link #bindForLife}; the last thing a runtime thread does. */
    static void unbindForLife() {
        CURRENT.remove();
        TimeDriver.unbind();
        IoDriver.bind(null);
    }

    /** What a thread had bound before {@link #bindAround}; any part may be null. */
    record Previous(AsyncRuntime runtime, TimeDriver timeDriver, IoDriver ioDriver) {
    }

    /** Binds the calling thread to {@code runtime} until {@link #restore} with what this returns. */
    static Previous bindAround(AsyncRuntime runtime) {
        AsyncRuntime previous = CURRENT.get();
        CURRENT.set(runtime);
        TimeDriver previousTime = TimeDriver.bind(runtime.timeDriver());
        IoDriver previousIo = IoDriver.bind(runtime.ioDriver());
        return new Previous(previous, previousTime, previousIo);
    }

    /** Puts back what {@link #bindAround} found, in the reverse order of its binds. */
    static void restore(Previous previous) {
        IoDriver.bind(previous.ioDriver());
        TimeDriver.bind(previous.timeDriver());
        if (previous.runtime() == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous.runtime());
        }
    }

    /**
     * The runtime binding of a thread (its runtime, that runtime's time and I/O drivers), captured
     * and re-applied for {@link DeliveryBinding}, restoring what was bound before exactly as
     * {@link AsyncRuntime#blockOn} does.
     */
    private static final class DeliveryBinder implements DeliveryBinding.Binder {
        @Override
        public Object capture() {
            return CURRENT.get();
        }

        @Override
        public Object bind(Object captured) {
            return bindAround((AsyncRuntime) captured);
        }

        @Override
        public void restore(Object previousBinding) {
            RuntimeThreadBinding.restore((Previous) previousBinding);
        }
    }
}

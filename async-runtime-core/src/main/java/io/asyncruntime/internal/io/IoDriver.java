package io.asyncruntime.internal.io;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * The I/O driver as {@code io.asyncruntime.net} sees it: it registers channels and hands back
 * their {@link IoRegistration}s. The {@link SelectorDriver} implements it over one
 * {@code java.nio.channels.Selector}; a native epoll or io_uring driver could replace it without
 * a change to {@code net}.
 *
 * <p>A runtime built with I/O binds its driver to each worker thread and to every thread inside
 * its {@code blockOn} ({@link #bind}); a leaf task finds it with {@link #current()} at its first
 * poll, as timers find the time driver.
 */
public interface IoDriver {

    /**
     * Registers a non-blocking channel. The channel stays the caller's until it closes the
     * registration ({@link IoRegistration#close}), which closes the channel too.
     *
     * @param channel an open channel in non-blocking mode; not null
     * @throws IOException if the runtime has shut down (the channel is then left open: the
     *     caller closes it)
     * @throws IllegalArgumentException if the channel is in blocking mode
     */
    IoRegistration register(SelectableChannel channel) throws IOException;

    /**
     * Makes {@code driver} the I/O driver of the current thread and returns the previous one (to
     * restore with {@code bind(previous)}); {@code null} unbinds.
     */
    static IoDriver bind(IoDriver driver) {
        return CurrentIoDriver.bind(driver);
    }

    /**
     * The I/O driver bound to the current thread.
     *
     * @throws IllegalStateException outside a runtime, or on a runtime built with
     *     {@code enableIo(false)}
     */
    static IoDriver current() {
        return CurrentIoDriver.current();
    }
}

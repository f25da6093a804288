package io.asyncruntime.spring.autoconfigure;

import java.util.function.Consumer;

import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.task.Priority;

/**
 * Applies {@link AsyncRuntimeProperties} to a {@link RuntimeBuilder}.
 *
 * <p>The builder is the single owner of the allowed ranges: this class does not repeat them. It
 * applies one property at a time so that a rejected value is reported under the property name
 * the user wrote ({@link InvalidAsyncRuntimePropertyException}), not under the builder's
 * argument name.
 */
final class AsyncRuntimeBuilderConfigurer {

    static final String PREFIX = "async.runtime.";

    private final AsyncRuntimeProperties properties;

    AsyncRuntimeBuilderConfigurer(AsyncRuntimeProperties properties) {
        this.properties = properties;
    }

    RuntimeBuilder configure(RuntimeBuilder builder) {
        AsyncRuntimeProperties p = this.properties;
        apply("worker-threads", p.getWorkerThreads(), builder::workerThreads);
        apply("thread-name-prefix", p.getThreadNamePrefix(), builder::threadNamePrefix);
        apply("global-queue-interval", p.getGlobalQueueInterval(), builder::globalQueueInterval);
        apply("event-interval", p.getEventInterval(), builder::eventInterval);
        if (!p.getLifoSlot().isEnabled()) {
            builder.disableLifoSlot();
        }
        apply("lane-share.normal", p.getLaneShare().getNormal(),
                (percent) -> builder.laneShare(Priority.NORMAL, percent));
        apply("lane-share.background", p.getLaneShare().getBackground(),
                (percent) -> builder.laneShare(Priority.BACKGROUND, percent));
        apply("shutdown-timeout", p.getShutdownTimeout(), builder::shutdownTimeout);
        return builder;
    }

    /** Applies one value; {@code null} keeps the builder's default. */
    private static <T> void apply(String property, T value, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidAsyncRuntimePropertyException(PREFIX + property, value, ex.getMessage(), ex);
        }
    }

}

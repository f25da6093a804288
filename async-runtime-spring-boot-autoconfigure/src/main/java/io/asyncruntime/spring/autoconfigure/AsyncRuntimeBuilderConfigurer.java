package io.asyncruntime.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingLimits;
import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.task.Priority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Applies the {@code async.runtime.*} properties and then every
 * {@link AsyncRuntimeBuilderCustomizer} to a {@link RuntimeBuilder}: what Boot's
 * {@code ThreadPoolTaskExecutorBuilder} bean is for its executors. The auto-configuration exposes
 * one as a bean, and a prototype {@code RuntimeBuilder} bean configured by it, so that a runtime
 * the application builds itself starts from the same settings as the auto-configured one:
 *
 * <pre>{@code
 * @Bean
 * AsyncRuntime ordersRuntime(RuntimeBuilder builder) {
 *     return builder.threadNames("orders-").build();
 * }
 * }</pre>
 *
 * <p>The builder is the single owner of the allowed ranges: this class does not repeat them. It
 * applies one property at a time, so that a value the builder rejects is reported with Boot's
 * {@link InvalidConfigurationPropertyValueException} under the property the user wrote, with the
 * value and the builder's reason (which states the range); Boot's failure analyzer turns that into
 * one startup message that also lists every other source that sets the property.
 */
public final class AsyncRuntimeBuilderConfigurer {

    private static final String PREFIX = "async.runtime.";

    /** The name of the runtime's own blocking pool, which no named pool may take. */
    private static final String DEFAULT_POOL = "default";

    /** Whether this JVM has virtual threads (Java 21 or later), which a blocking pool may use. */
    private static final boolean VIRTUAL_THREADS = Runtime.version().feature() >= 21;

    private static final Logger logger = LoggerFactory.getLogger(AsyncRuntimeBuilderConfigurer.class);

    private final AsyncRuntimeProperties properties;

    private final List<AsyncRuntimeBuilderCustomizer> customizers;

    /**
     * Creates a configurer.
     * @param properties the properties to apply; not null
     * @param customizers the customizers to apply after the properties, in order; not null
     */
    public AsyncRuntimeBuilderConfigurer(AsyncRuntimeProperties properties,
            List<AsyncRuntimeBuilderCustomizer> customizers) {
        this.properties = properties;
        this.customizers = List.copyOf(customizers);
    }

    /**
     * A new builder with the properties and customizers applied.
     * @return a new builder; never null
     * @throws InvalidConfigurationPropertyValueException if the builder rejects a property's value
     */
    public RuntimeBuilder builder() {
        return configure(AsyncRuntime.builder());
    }

    /**
     * Applies the properties, then the customizers, to {@code builder}.
     * @param builder the builder to configure; not null
     * @return {@code builder}
     * @throws InvalidConfigurationPropertyValueException if the builder rejects a property's value
     */
    public RuntimeBuilder configure(RuntimeBuilder builder) {
        AsyncRuntimeProperties p = this.properties;
        apply("worker-threads", p.getWorkerThreads(), builder::workerThreads);
        apply("thread-name-prefix", p.getThreadNamePrefix(), builder::threadNames);
        apply("global-queue-interval", p.getGlobalQueueInterval(), builder::globalQueueInterval);
        apply("event-interval", p.getEventInterval(), builder::eventInterval);
        if (!p.getLifoSlot().isEnabled()) {
            builder.disableLifoSlot();
        }
        apply("lifo-slot.max-polls", p.getLifoSlot().getMaxPolls(), builder::maxLifoPolls);
        apply("lane-share.normal", p.getLaneShare().getNormal(),
                (percent) -> builder.laneShare(Priority.NORMAL, percent));
        apply("lane-share.background", p.getLaneShare().getBackground(),
                (percent) -> builder.laneShare(Priority.BACKGROUND, percent));
        apply("shutdown-timeout", p.getShutdownTimeout(), builder::shutdownTimeout);
        apply("max-blocking-threads", p.getMaxBlockingThreads(), builder::maxBlockingThreads);
        apply("blocking-queue-capacity", p.getBlockingQueueCapacity(), builder::blockingQueueCapacity);
        apply("blocking-keep-alive", p.getBlockingKeepAlive(), builder::blockingKeepAlive);
        apply("stall-threshold", p.getStallThreshold(), builder::stallThreshold);
        p.getMetrics().checkedPollSamplingInterval(); // bound with the others, whether or not meters exist
        apply("worker-stack-size", p.getWorkerStackSize(), (size) -> builder.workerStackSize(size.toBytes()));
        if (!p.getIo().isEnabled()) {
            builder.enableIo(false);
        }
        for (AsyncRuntimeBuilderCustomizer customizer : this.customizers) {
            customizer.customize(builder);
        }
        return builder;
    }

    /**
     * The limits of the named blocking pools ({@code async.runtime.blocking.pools.*}), checked:
     * pools are created on a runtime once it runs, but a bad value fails as early as the others.
     * @return the limits by pool name, in the order they were configured; never null
     * @throws InvalidConfigurationPropertyValueException if a pool's value is out of range
     */
    public Map<String, BlockingLimits> blockingPools() {
        Map<String, BlockingLimits> pools = new LinkedHashMap<>();
        this.properties.getBlocking().getPools().forEach((name, pool) -> {
            String prefix = "blocking.pools." + name + ".";
            if (DEFAULT_POOL.equals(name)) {
                throw new InvalidConfigurationPropertyValueException(PREFIX + "blocking.pools", name,
                        "'default' is the runtime's own pool: set max-blocking-threads, blocking-queue-capacity and "
                                + "blocking-keep-alive instead");
            }
            AtomicReference<BlockingLimits> limits = new AtomicReference<>(BlockingLimits.defaults());
            apply(prefix + "max-threads", pool.getMaxThreads(), (value) -> limits.set(limits.get().maxThreads(value)));
            apply(prefix + "queue-capacity", pool.getQueueCapacity(),
                    (value) -> limits.set(limits.get().queueCapacity(value)));
            apply(prefix + "keep-alive", pool.getKeepAlive(), (value) -> limits.set(limits.get().keepAlive(value)));
            if (pool.isVirtualThreads()) {
                if (VIRTUAL_THREADS) {
                    limits.set(limits.get().virtualThreads(true));
                }
                else {
                    logger.warn("Blocking pool '{}' runs on platform threads: {}virtual-threads needs Java 21 or "
                            + "later, this JVM is {}", name, PREFIX + prefix, Runtime.version());
                }
            }
            pools.put(name, limits.get());
        });
        return pools;
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
            throw new InvalidConfigurationPropertyValueException(PREFIX + property, value, ex.getMessage());
        }
    }

}

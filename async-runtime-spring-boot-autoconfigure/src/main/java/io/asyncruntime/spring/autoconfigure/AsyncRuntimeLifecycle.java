package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.asyncruntime.AsyncRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the context's {@link AsyncRuntime}s down when the application context closes: readiness
 * goes to {@link ReadinessState#REFUSING_TRAFFIC} first, then every runtime shuts down, all at
 * once, each on a thread of its own, and the lifecycle processor is told when they are done.
 *
 * <p><b>Phase.</b> {@link #PHASE} is the phase of Spring's own executors
 * ({@code ExecutorConfigurationSupport.DEFAULT_PHASE}): it stops after the web server's graceful
 * shutdown ({@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}), so requests in flight
 * finish their tasks before the runtime goes away.
 *
 * <p><b>Bounded.</b> The shutdown runs through the asynchronous {@link #stop(Runnable)}, so the
 * lifecycle processor waits for it at most {@code spring.lifecycle.timeout-per-shutdown-phase}
 * and then goes on closing the context, even with a task stuck in a poll (the runtime's worker
 * threads are daemons; the runtime's own close, called again as the bean is destroyed, returns at
 * once). A runtime whose shutdown timeout does not fit in the phase timeout is reported with a
 * warning at startup.
 *
 * <p><b>Stop without close.</b> Only closing the context shuts the runtimes down: a runtime
 * cannot be restarted. {@code context.stop()} (what CRaC does before a checkpoint) and Spring
 * Framework 7's pausing of cached test contexts call {@link #stop(Runnable)} on an open context;
 * it leaves the runtimes running and returns at once, and the lifecycle keeps reporting
 * {@link #isRunning() running}, since its runtimes are, so that closing the context later still
 * goes through the bounded shutdown above.
 */
public final class AsyncRuntimeLifecycle implements SmartLifecycle {

    /** The lifecycle phase: {@code Integer.MAX_VALUE / 2}, the phase of Spring's executors. */
    public static final int PHASE = Integer.MAX_VALUE / 2;

    private static final Logger logger = LoggerFactory.getLogger(AsyncRuntimeLifecycle.class);

    private final ApplicationContext context;

    private final Supplier<Map<String, AsyncRuntime>> runtimes;

    private final Duration phaseTimeout;

    private volatile boolean started;

    private volatile boolean shuttingDown;

    private boolean timeoutsChecked;

    /**
     * Creates a lifecycle for the runtimes of a context.
     * @param context the context whose closing shuts the runtimes down; not null
     * @param runtimes the runtimes by bean name, looked up when the lifecycle starts and stops;
     * not null
     * @param phaseTimeout how long the lifecycle processor waits for a shutdown phase
     * ({@code spring.lifecycle.timeout-per-shutdown-phase}); not null
     */
    public AsyncRuntimeLifecycle(ApplicationContext context, Supplier<Map<String, AsyncRuntime>> runtimes,
            Duration phaseTimeout) {
        this.context = context;
        this.runtimes = runtimes;
        this.phaseTimeout = phaseTimeout;
    }

    @Override
    public void start() {
        if (!this.timeoutsChecked) {
            this.timeoutsChecked = true;
            this.runtimes.get().forEach(this::warnIfShutdownTimeoutDoesNotFit);
        }
        this.started = true;
    }

    /** Stops the lifecycle, waiting up to the phase timeout for the runtimes to shut down. */
    @Override
    public void stop() {
        CountDownLatch done = new CountDownLatch(1);
        stop(done::countDown);
        try {
            done.await(this.phaseTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the lifecycle. When the context is closing, refuses traffic and then shuts every
     * runtime down, calling {@code callback} once they all stopped; otherwise calls it at once.
     * @param callback told when the runtimes stopped; not null
     */
    @Override
    public void stop(Runnable callback) {
        if (!isContextClosing()) {
            callback.run();
            return;
        }
        this.shuttingDown = true;
        refuseTraffic();
        Map<String, AsyncRuntime> open = new LinkedHashMap<>(this.runtimes.get());
        open.values().removeIf(AsyncRuntime::isClosed);
        if (open.isEmpty()) {
            callback.run();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(open.size());
        open.forEach((name, runtime) -> {
            Thread shutdown = new Thread(() -> {
                try {
                    shutDown(name, runtime);
                }
                finally {
                    if (remaining.decrementAndGet() == 0) {
                        callback.run();
                    }
                }
            }, "async-runtime-shutdown-" + name);
            // A daemon, like the workers: a task stuck in a poll must not keep the JVM alive once
            // the context gave up waiting for the phase.
            shutdown.setDaemon(true);
            shutdown.start();
        });
    }

    /**
     * Whether the runtimes run under this lifecycle: from {@link #start()} until the context's
     * close begins shutting them down.
     * @return true while the lifecycle has started and the runtimes are not being shut down
     */
    @Override
    public boolean isRunning() {
        return this.started && !this.shuttingDown;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Whether the context is closing and the runtimes are being, or have been, shut down.
     * @return true from the moment the lifecycle stops for the context's close
     */
    public boolean isShuttingDown() {
        return this.shuttingDown;
    }

    private boolean isContextClosing() {
        // ConfigurableApplicationContext.isClosed() turns true as close() begins, before the
        // lifecycle processor stops the beans; a stop() or a pause leaves it false.
        return !(this.context instanceof ConfigurableApplicationContext configurable) || configurable.isClosed();
    }

    private void refuseTraffic() {
        ApplicationAvailability availability = this.context.getBeanProvider(ApplicationAvailability.class)
            .getIfAvailable();
        if (availability != null && availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC) {
            return;
        }
        AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
    }

    private void shutDown(String name, AsyncRuntime runtime) {
        long start = System.nanoTime();
        logger.debug("Shutting down async runtime '{}' ({})", name, runtime);
        try {
            runtime.close();
            logger.debug("Async runtime '{}' shut down in {} ms", name, (System.nanoTime() - start) / 1_000_000);
        }
        catch (RuntimeException ex) {
            logger.warn("Async runtime '{}' failed to shut down", name, ex);
        }
    }

    private void warnIfShutdownTimeoutDoesNotFit(String name, AsyncRuntime runtime) {
        Duration shutdownTimeout = runtime.shutdownTimeout();
        if (shutdownTimeout.compareTo(this.phaseTimeout) >= 0) {
            logger.warn("The shutdown timeout of async runtime '{}' ({}) does not fit in "
                    + "spring.lifecycle.timeout-per-shutdown-phase ({}): when the context closes it stops waiting "
                    + "for the runtime after {} and destroys beans that tasks still running may use. "
                    + "Set async.runtime.shutdown-timeout below the phase timeout.", name, shutdownTimeout,
                    this.phaseTimeout, this.phaseTimeout);
        }
    }

}

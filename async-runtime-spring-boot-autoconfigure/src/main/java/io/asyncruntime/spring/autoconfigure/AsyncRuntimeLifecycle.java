package io.asyncruntime.spring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ShutdownReport;
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
 * goes to {@link ReadinessState#REFUSING_TRAFFIC} first, then every runtime shuts down
 * gracefully ({@link AsyncRuntime#shutdownGracefully}), all at once, each on a thread of its own,
 * and the lifecycle processor is told when they are done. Each runtime's
 * {@link ShutdownReport} (how many tasks completed, how many were aborted, how many are still
 * stuck in a poll) is logged, at INFO when everything drained and at WARN otherwise, and kept:
 * {@link #shutdownReports()}.
 *
 * <p><b>Deadline.</b> A runtime's tasks get its shutdown timeout
 * ({@code async.runtime.shutdown-timeout} for the auto-configured one) to finish, but never more
 * than fits in the phase timeout (a quarter of the phase, at most one second, is kept): what is left of the
 * phase after the drain is kept for aborting the rest and stopping the workers, so that the
 * report is complete before the lifecycle processor gives up on the phase.
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

    /** Kept out of the phase for the abort and stop steps that follow the drain: at most this. */
    static final Duration MAX_STOP_RESERVE = Duration.ofSeconds(1);

    private final Map<String, ShutdownReport> reports = new ConcurrentHashMap<>();

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

    /**
     * The report of each runtime this lifecycle shut down, by bean name; empty until the context
     * closes. A runtime appears once its shutdown finished.
     * @return an unmodifiable copy; never null
     */
    public Map<String, ShutdownReport> shutdownReports() {
        return Map.copyOf(this.reports);
    }

    /**
     * How long a runtime's tasks are given to finish when the context closes: its own shutdown
     * timeout, cut to what fits in the phase timeout once a reserve for the abort and stop steps
     * (a quarter of the phase, at most {@link #MAX_STOP_RESERVE}) is taken out.
     * @param shutdownTimeout the runtime's shutdown timeout; not null
     * @param phaseTimeout the lifecycle processor's timeout per shutdown phase; not null
     * @return the deadline to pass to {@link AsyncRuntime#shutdownGracefully}; never negative
     */
    static Duration drainDeadline(Duration shutdownTimeout, Duration phaseTimeout) {
        Duration quarter = phaseTimeout.dividedBy(4);
        Duration reserve = (quarter.compareTo(MAX_STOP_RESERVE) < 0) ? quarter : MAX_STOP_RESERVE;
        Duration fits = phaseTimeout.minus(reserve);
        if (fits.isNegative()) {
            return Duration.ZERO;
        }
        return (shutdownTimeout.compareTo(fits) < 0) ? shutdownTimeout : fits;
    }

    private void shutDown(String name, AsyncRuntime runtime) {
        Duration deadline = drainDeadline(runtime.shutdownTimeout(), this.phaseTimeout);
        logger.debug("Shutting down async runtime '{}' ({}), giving its tasks {} to finish", name, runtime, deadline);
        try {
            ShutdownReport report = runtime.shutdownGracefully(deadline);
            this.reports.put(name, report);
            if (report.drained()) {
                logger.info("Async runtime '{}' shut down in {} ms: all {} tasks completed", name,
                        report.total().toMillis(), report.completed());
            }
            else {
                logger.warn("Async runtime '{}' shut down in {} ms with work left: {} tasks completed, {} aborted "
                        + "after {} ({} of them still inside a poll, their workers left behind), {} blocking "
                        + "threads still running. {}", name, report.total().toMillis(), report.completed(),
                        report.aborted(), deadline, report.stillRunning(), report.blockingThreadsStillRunning(),
                        report);
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Async runtime '{}' failed to shut down", name, ex);
        }
    }

    private void warnIfShutdownTimeoutDoesNotFit(String name, AsyncRuntime runtime) {
        Duration shutdownTimeout = runtime.shutdownTimeout();
        Duration deadline = drainDeadline(shutdownTimeout, this.phaseTimeout);
        if (deadline.compareTo(shutdownTimeout) < 0) {
            logger.warn("The shutdown timeout of async runtime '{}' ({}) does not fit in "
                    + "spring.lifecycle.timeout-per-shutdown-phase ({}): when the context closes its tasks get {} "
                    + "to finish, the rest of the phase being kept to abort what is left and stop the workers. "
                    + "Set async.runtime.shutdown-timeout to at most {}, or raise the phase timeout.", name,
                    shutdownTimeout, this.phaseTimeout, deadline, deadline);
        }
    }

}

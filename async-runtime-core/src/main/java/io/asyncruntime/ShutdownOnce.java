package io.asyncruntime;

import io.asyncruntime.internal.scheduler.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who runs a runtime's graceful shutdown, and who waits for it, behind
 * {@link AsyncRuntime#shutdownGracefully} (which documents the behaviour): the first call runs
 * {@link GracefulShutdown}'s steps once; every later or concurrent call waits for its report,
 * except a call from one of the runtime's own tasks, which cannot wait for a shutdown that drains
 * it: that call runs the shutdown on a new thread and returns a report in progress.
 *
 * <p>Invariant: {@link #started} flips once, and the thread that runs the shutdown completes
 * {@link #report}, with the report or with the failure that ended it, so a caller that waits for
 * the report is released either way.
 */
final class ShutdownOnce {

    /** Under AsyncRuntime's name, as before this class was split out of it: log settings name it. */
    private static final Logger log = LoggerFactory.getLogger(AsyncRuntime.class);

    private final AsyncRuntime runtime;
    private final Scheduler scheduler;
    private final RuntimeBlocking blocking;
    /** The runtime's builder, read when the shutdown runs (for its thread names). */
    private final RuntimeBuilder settings;
    /** Set by the first shutdown call, which runs it; the others wait for {@link #report}. */
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<ShutdownReport> report = new CompletableFuture<>();

    ShutdownOnce(AsyncRuntime runtime, Scheduler scheduler, RuntimeBlocking blocking, RuntimeBuilder settings) {
        this.runtime = runtime;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.settings = settings;
    }

    /** Whether a shutdown has begun. */
    boolean started() {
        return started.get();
    }

    ShutdownReport shutdownGracefully(Duration deadline) {
        if (deadline == null || deadline.isNegative()) {
            throw new IllegalArgumentException("shutdownGracefully deadline must be zero or a positive duration, got "
                    + deadline);
        }
        // A task inside blockInPlace counts too: its thread handed the worker over, but it is
        // still in that task's poll, and waiting here would wait for itself (review9).
        // So does blocking work of this runtime's pools, which a task usually awaits: waiting here
        // would wait for that task, which waits for this work (review9b).
        boolean onOwnTask = scheduler.isOwnTaskThread() || blocking.servesCurrentThread();
        if (!started.compareAndSet(false, true)) {
            return onOwnTask ? report.getNow(ShutdownReport.inProgress(deadline)) : report.join();
        }
        if (onOwnTask) {
            Thread shutdown = new Thread(() -> run(deadline), settings.threadNamePrefix() + "shutdown");
            shutdown.setDaemon(true);
            shutdown.start();
            return ShutdownReport.inProgress(deadline);
        }
        return run(deadline);
    }

    private ShutdownReport run(Duration deadline) {
        try {
            ShutdownReport done = new GracefulShutdown(runtime, scheduler, settings.threadNamePrefix())
                    .run(deadline, timeoutNanos(deadline));
            log.info("async-runtime shut down: {}", done);
            report.complete(done);
            return done;
        } catch (Throwable failure) {
            report.completeExceptionally(failure);
            throw failure;
        }
    }

    private static long timeoutNanos(Duration deadline) {
        try {
            return deadline.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4; // centuries: as good as forever, and safe to add to nanoTime
        }
    }
}

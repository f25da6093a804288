package io.asyncruntime.spring.autoconfigure;

import io.asyncruntime.AsyncRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Ties an {@link AsyncRuntime} to the application context's lifecycle: the runtime is shut down
 * when the context stops, after the web server has drained its requests.
 *
 * <p>Phase {@link #PHASE} is the phase of Spring's own executors
 * ({@code ExecutorConfigurationSupport.DEFAULT_PHASE}): later than the web server's graceful
 * shutdown ({@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}), so requests still in
 * flight can finish their tasks before the runtime goes away. A runtime cannot be restarted, so
 * neither can this lifecycle once it stopped.
 */
public final class AsyncRuntimeLifecycle implements SmartLifecycle, DisposableBean {

    /** The lifecycle phase: {@code Integer.MAX_VALUE / 2}, the phase of Spring's executors. */
    public static final int PHASE = Integer.MAX_VALUE / 2;

    private static final Logger logger = LoggerFactory.getLogger(AsyncRuntimeLifecycle.class);

    private final AsyncRuntime runtime;

    private volatile boolean running;

    /**
     * Creates a lifecycle for the given runtime.
     * @param runtime the runtime to shut down when the context stops
     */
    public AsyncRuntimeLifecycle(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void start() {
        if (this.runtime.isClosed()) {
            throw new IllegalStateException("The async runtime was shut down and cannot be restarted");
        }
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        shutdown();
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Closes the runtime if the context never started it or failed while starting: the
     * lifecycle is stopped only for a context that refreshed successfully.
     */
    @Override
    public void destroy() {
        this.running = false;
        shutdown();
    }

    private void shutdown() {
        if (this.runtime.isClosed()) {
            return;
        }
        // close() waits for the workers up to the runtime's own shutdown timeout
        // (async.runtime.shutdown-timeout for the auto-configured runtime).
        logger.debug("Shutting down {}", this.runtime);
        this.runtime.close();
    }

}

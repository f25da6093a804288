package io.asyncruntime.sample.redis;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;

import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link RespServer} with the application context: it starts after the runtime is up
 * and, on shutdown (SIGTERM closes the context), drains before the runtime's own lifecycle shuts
 * the runtime down — its phase is just above {@link AsyncRuntimeLifecycle#PHASE}, and Spring stops
 * higher phases first. A stopped context that is started again (Spring's paused test contexts)
 * gets a new server on the same keyspace.
 */
public final class RespServerLifecycle implements SmartLifecycle {

    /** One above the runtime's phase: started after it, stopped (drained) before it. */
    public static final int PHASE = AsyncRuntimeLifecycle.PHASE + 1;

    private final AsyncRuntime runtime;
    private final Keyspace keyspace;
    private final RespServer.Settings settings;
    private volatile RespServer server;

    /** All not null; {@code settings} were checked when they were made. */
    public RespServerLifecycle(AsyncRuntime runtime, Keyspace keyspace, RespServer.Settings settings) {
        this.runtime = runtime;
        this.keyspace = keyspace;
        this.settings = settings;
    }

    @Override
    public void start() {
        RespServer fresh = new RespServer(runtime, keyspace, settings);
        fresh.start();
        server = fresh;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("stop(Runnable) is the lifecycle's stop");
    }

    @Override
    public void stop(Runnable callback) {
        RespServer current = server;
        server = null;
        if (current == null) {
            callback.run();
        } else {
            current.stop(callback);
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * The running server (its {@link RespServer#port()} tells the port it bound).
     *
     * @throws IllegalStateException if it is not running
     */
    public RespServer server() {
        RespServer current = server;
        if (current == null) {
            throw new IllegalStateException("the RESP server is not running");
        }
        return current;
    }

}

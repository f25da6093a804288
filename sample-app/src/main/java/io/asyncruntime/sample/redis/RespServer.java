package io.asyncruntime.sample.redis;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.net.TcpListener;
import io.asyncruntime.net.TcpStream;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskTracker;
import io.asyncruntime.time.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RESP2 (Redis protocol) server on the runtime's TCP: an accept loop, one task per connection
 * ({@link RespConnection}), and a sweeper that closes idle connections and connections whose
 * client stopped reading. Single use: {@link #start()} once, {@link #stop} once.
 *
 * <p><b>Stop</b> is a drain: the listener closes (no new connections), connections waiting for a
 * request are closed, connections in the middle of a batch finish it, write its replies and close;
 * after {@link Settings#drainTimeout()} the rest are closed. Every reply a client received belongs
 * to a command that was applied.
 */
public final class RespServer {

    private static final Logger logger = LoggerFactory.getLogger(RespServer.class);
    /** Backoff after an accept failure other than a closed listener (e.g. out of file descriptors). */
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(50);
    private static final byte[] MAX_CLIENTS_REPLY = ("-" + RedisErrors.MAX_CLIENTS + "\r\n").getBytes(StandardCharsets.US_ASCII);

    /**
     * What the server is told.
     *
     * @param host the address to bind, e.g. {@code 127.0.0.1}
     * @param port the port, 0 for any free one
     * @param maxConnections connections open at once; one more is told {@code -ERR max number of clients reached}
     * @param maxRequestSize the largest request (one command, all its arguments) in bytes
     * @param maxBulkLength the largest bulk string (one argument) in bytes
     * @param outputBufferLimit reply bytes a connection collects before it writes them out, while the client reads them
     * @param outputQueueLimit reply bytes a connection may hold for a client that is not reading them
     *        (Redis's {@code client-output-buffer-limit}); one more and the client is disconnected
     * @param idleTimeout a connection that sends nothing this long is closed; zero for never
     * @param writeTimeout a connection whose replies wait this long without the client reading any of them is closed
     * @param drainTimeout how long {@link #stop} lets connections finish before it closes them
     */
    public record Settings(String host, int port, int maxConnections, int maxRequestSize, int maxBulkLength,
            int outputBufferLimit, int outputQueueLimit, Duration idleTimeout, Duration writeTimeout, Duration drainTimeout) {

        /** @throws IllegalArgumentException naming the setting and its allowed range, if one is out of it */
        public Settings {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("sample.redis.host must be an address to bind, got '" + host + "'");
            }
            requireBetween("sample.redis.port", port, 0, 65535);
            requireBetween("sample.redis.max-connections", maxConnections, 1, 1_000_000);
            requireBetween("sample.redis.max-bulk-length", maxBulkLength, 1, 512 * 1024 * 1024);
            requireBetween("sample.redis.max-request-size", maxRequestSize, maxBulkLength, 1024 * 1024 * 1024);
            requireBetween("sample.redis.output-buffer-limit", outputBufferLimit, 1024, 64 * 1024 * 1024);
            requireBetween("sample.redis.output-queue-limit", outputQueueLimit, outputBufferLimit, 1024 * 1024 * 1024);
            requireNonNegative("sample.redis.idle-timeout", idleTimeout);
            requirePositive("sample.redis.write-timeout", writeTimeout);
            requirePositive("sample.redis.drain-timeout", drainTimeout);
        }

        private static void requireBetween(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
            }
        }

        private static void requireNonNegative(String name, Duration value) {
            if (value == null || value.isNegative() || value.compareTo(Time.MAX_DELAY) > 0) {
                throw new IllegalArgumentException(name + " must be between 0 and " + Time.MAX_DELAY + ", got " + value);
            }
        }

        private static void requirePositive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative() || value.compareTo(Time.MAX_DELAY) > 0) {
                throw new IllegalArgumentException(name + " must be between 1ms and " + Time.MAX_DELAY + ", got " + value);
            }
        }
    }

    private final AsyncRuntime runtime;
    private final Keyspace keyspace;
    private final Settings settings;
    private final CommandTable commands = CommandTable.standard();
    private final Set<RespConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final TaskTracker tracker = new TaskTracker();
    private final AtomicLong nextClientId = new AtomicLong();
    private final LongAdder commandsProcessed = new LongAdder();
    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder connectionsRejected = new LongAdder();
    private final LongAdder connectionsTimedOut = new LongAdder();
    private final LongAdder outputLimitDisconnections = new LongAdder();
    private final AtomicBoolean started = new AtomicBoolean();
    private final long startedNanos = System.nanoTime();
    private volatile boolean draining;
    private volatile TcpListener listener;
    private volatile JoinHandle<Void> sweeper;

    /** A server for {@code keyspace} on {@code runtime}; nothing listens before {@link #start()}. All not null. */
    public RespServer(AsyncRuntime runtime, Keyspace keyspace, Settings settings) {
        if (runtime == null || keyspace == null || settings == null) {
            throw new IllegalArgumentException("runtime, keyspace and settings must not be null");
        }
        this.runtime = runtime;
        this.keyspace = keyspace;
        this.settings = settings;
    }

    /**
     * Binds and starts accepting; returns once the port is bound.
     *
     * @throws IllegalStateException if it was started before, or the bind failed (the cause names the address)
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a RespServer starts once; create another to listen again");
        }
        SocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        JoinHandle<TcpListener> bound = runtime.spawn(Task.call(Time::clock).flatMap(clock -> {
            keyspace.useClock(clock);
            return TcpListener.bind(address, 1024);
        }));
        try {
            listener = bound.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the RESP server could not listen on " + address + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bound.abort();
            throw new IllegalStateException("interrupted while binding the RESP server to " + address, e);
        } catch (TimeoutException e) {
            bound.abort();
            throw new IllegalStateException("binding the RESP server to " + address + " took more than 30 s", e);
        }
        keyspace.startActiveExpiry();
        runtime.spawn(acceptLoop(listener), Priority.NORMAL, "resp-accept");
        sweeper = runtime.spawn(sweepLoop(), Priority.BACKGROUND, "resp-sweeper");
        logger.info("RESP server listening on {}", listener.localAddress());
    }

    /** The port the server listens on (the one picked, if it was configured as 0). */
    public int port() {
        TcpListener l = listener;
        if (l == null) {
            throw new IllegalStateException("the RESP server is not started");
        }
        return ((InetSocketAddress) l.localAddress()).getPort();
    }

    /** The keyspace the server serves. */
    public Keyspace keyspace() {
        return keyspace;
    }

    private Task<Void> acceptLoop(TcpListener l) {
        return Task.loop(l, current -> current.accept().map(stream -> {
            admit(stream);
            return Step.<TcpListener, Void>next(current);
        }).recoverWith(failure -> {
            if (current.isClosed()) {
                return Task.completed(Step.done(null));
            }
            logger.warn("accepting a RESP connection failed; retrying in {}", ACCEPT_RETRY, failure);
            return Time.sleep(ACCEPT_RETRY).map(v -> Step.next(current));
        }));
    }

    private void admit(TcpStream stream) {
        if (draining) {
            stream.close();
            return;
        }
        if (openConnections.incrementAndGet() > settings.maxConnections()) {
            openConnections.decrementAndGet();
            connectionsRejected.increment();
            // As Redis does: say why, then close. The reply is tiny; a client that does not read it loses nothing else.
            runtime.spawn(Time.timeout(settings.writeTimeout(), stream.writeAll(ByteBuffer.wrap(MAX_CLIENTS_REPLY)))
                .recover(failure -> null)
                .map(v -> {
                    stream.close();
                    return null;
                }));
            return;
        }
        connectionsAccepted.increment();
        try {
            stream.setNoDelay(true); // replies go out at once, as Redis's sockets do
        } catch (UncheckedIOException resetAlready) {
            openConnections.decrementAndGet();
            stream.close();
            return;
        }
        RespConnection connection = new RespConnection(stream,
                this, new Session(nextClientId.incrementAndGet(), keyspace, this));
        connections.add(connection);
        try {
            tracker.spawn(runtime, connection.serve());
        } catch (RuntimeException shuttingDown) {
            connection.close();
        }
    }

    /** Called once per connection as it closes (idempotent per connection). */
    void connectionClosed(RespConnection connection) {
        if (connections.remove(connection)) {
            openConnections.decrementAndGet();
        }
    }

    /**
     * Every {@code period}, closes connections idle longer than the idle timeout and those whose
     * replies have waited longer than the write timeout without the client reading any (a client
     * that stopped reading).
     */
    private Task<Void> sweepLoop() {
        long idle = settings.idleTimeout().toNanos();
        long write = settings.writeTimeout().toNanos();
        long shortest = idle == 0 ? write : Math.min(idle, write);
        Duration period = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 4)));
        return Task.loop(this, server -> Time.sleep(period).map(v -> {
            long now = System.nanoTime();
            for (RespConnection c : connections) {
                long writeProgress = c.writeProgressNanos();
                if (writeProgress != 0 && now - writeProgress > write) {
                    logger.info("closing {}: the client has not read its replies for {}", c, settings.writeTimeout());
                    connectionsTimedOut.increment();
                    c.close();
                } else if (idle != 0 && c.isReading() && now - c.lastActivityNanos() > idle) {
                    logger.debug("closing {}: idle for {}", c, settings.idleTimeout());
                    connectionsTimedOut.increment();
                    c.close();
                }
            }
            return Step.next(server);
        }));
    }

    /**
     * Drains: stops accepting, closes connections waiting for a request, lets the others finish
     * their batch, closes what is left after the drain timeout, then runs {@code done} (on some
     * thread; exactly once).
     */
    public void stop(Runnable done) {
        draining = true;
        TcpListener l = listener;
        if (l != null) {
            l.close();
        }
        JoinHandle<Void> s = sweeper;
        if (s != null) {
            s.abort();
        }
        keyspace.stopActiveExpiry();
        closeReadingConnections();
        tracker.close();
        logger.info("RESP server draining {} connection(s)", openConnections.get());
        Task<Void> drained = Time.timeout(settings.drainTimeout(), tracker.whenClosedAndEmpty()).recover(timedOut -> {
            logger.warn("RESP server: {} connection(s) still busy after {}; closing them", connections.size(),
                    settings.drainTimeout());
            connections.forEach(RespConnection::close);
            return null;
        });
        try {
            runtime.spawn(drained.map(v -> {
                done.run();
                return null;
            }), Priority.HIGH, "resp-drain");
        } catch (RuntimeException runtimeClosed) {
            connections.forEach(RespConnection::close);
            done.run();
        }
    }

    private void closeReadingConnections() {
        for (RespConnection c : connections) {
            if (c.isReading()) {
                c.close();
            }
        }
    }

    boolean isDraining() {
        return draining;
    }

    Settings settings() {
        return settings;
    }

    CommandTable commands() {
        return commands;
    }

    /** A connection was closed because the replies waiting for its client went over the output queue limit. */
    void outputLimitExceeded() {
        outputLimitDisconnections.increment();
    }

    void countCommands(long n) {
        if (n != 0) {
            commandsProcessed.add(n);
        }
    }

    /** Connections open now. */
    public int openConnections() {
        return openConnections.get();
    }

    /** {@code INFO [section]}: server, clients, stats, keyspace and the runtime's own counters. */
    String info(String section) {
        return ServerInfo.render(section, this, runtime, keyspace, startedNanos,
                new ServerInfo.Stats(connectionsAccepted.sum(), connectionsRejected.sum(), connectionsTimedOut.sum(),
                        commandsProcessed.sum(), openConnections.get(), outputLimitDisconnections.sum()));
    }

}

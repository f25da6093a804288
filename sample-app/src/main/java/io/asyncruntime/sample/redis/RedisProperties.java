package io.asyncruntime.sample.redis;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The sample's RESP (Redis protocol) server, {@code sample.redis.*}. Defaults suit a local
 * service; every limit exists so that one client cannot take the server's memory or connections.
 */
@ConfigurationProperties("sample.redis")
public class RedisProperties {

    /** Whether the RESP server runs. */
    private boolean enabled = true;

    /** The address to listen on; the loopback address by default, so nothing outside the machine reaches it. */
    private String host = "127.0.0.1";

    /** The port; 0 picks a free one (the tests do). */
    private int port = 6380;

    /** Connections open at once; one more is answered "-ERR max number of clients reached" and closed. */
    private int maxConnections = 10_000;

    /** The largest request (one command with all its arguments); a larger one is a protocol error that closes the connection. */
    private DataSize maxRequestSize = DataSize.ofMegabytes(32);

    /** The largest bulk string (one argument, e.g. a value). */
    private DataSize maxBulkLength = DataSize.ofMegabytes(8);

    /**
     * Reply bytes a connection collects before it writes them out; a pipelined batch's replies go
     * out in one write up to this size. With the request limit it bounds a connection's buffers.
     */
    private DataSize outputBufferLimit = DataSize.ofKilobytes(64);

    /**
     * Reply bytes a connection may hold for a client that does not read them as fast as it sends
     * requests (a pipeline written whole before its replies are read needs room for its replies);
     * past it the client is disconnected, as by Redis's {@code client-output-buffer-limit}.
     */
    private DataSize outputQueueLimit = DataSize.ofMegabytes(64);

    /** A connection that sends nothing for this long is closed; 0 keeps idle connections forever. */
    private Duration idleTimeout = Duration.ofMinutes(5);

    /** A client whose replies wait this long without it reading any of them is disconnected. */
    private Duration writeTimeout = Duration.ofSeconds(30);

    /** On shutdown, how long connections may finish their commands before they are closed. */
    private Duration drainTimeout = Duration.ofSeconds(5);

    /** The server's settings, checked. @throws IllegalArgumentException naming the property out of range */
    public RespServer.Settings toSettings() {
        return new RespServer.Settings(host, port, maxConnections, toInt("max-request-size", maxRequestSize),
                toInt("max-bulk-length", maxBulkLength), toInt("output-buffer-limit", outputBufferLimit),
                toInt("output-queue-limit", outputQueueLimit), idleTimeout, writeTimeout, drainTimeout);
    }

    private static int toInt(String name, DataSize size) {
        if (size == null || size.toBytes() > Integer.MAX_VALUE || size.toBytes() < 0) {
            throw new IllegalArgumentException("sample.redis." + name + " must be between 0 and 2GB, got " + size);
        }
        return (int) size.toBytes();
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    public DataSize getMaxRequestSize() {
        return maxRequestSize;
    }

    public void setMaxRequestSize(DataSize maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    public DataSize getMaxBulkLength() {
        return maxBulkLength;
    }

    public void setMaxBulkLength(DataSize maxBulkLength) {
        this.maxBulkLength = maxBulkLength;
    }

    public DataSize getOutputBufferLimit() {
        return outputBufferLimit;
    }

    public void setOutputBufferLimit(DataSize outputBufferLimit) {
        this.outputBufferLimit = outputBufferLimit;
    }

    public DataSize getOutputQueueLimit() {
        return outputQueueLimit;
    }

    public void setOutputQueueLimit(DataSize outputQueueLimit) {
        this.outputQueueLimit = outputQueueLimit;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

}

package io.asyncruntime.benchmarks.net;

import io.asyncruntime.benchmarks.Implementation;

/**
 * A TCP echo server and its clients, both in this process, on one implementation: connections
 * stay open across batches, and each batch runs the same number of request/response round trips
 * on every connection at once.
 */
interface EchoWorkload extends AutoCloseable {

    /**
     * Runs {@code roundTrips} round trips on every connection concurrently and returns when all
     * are done. Connection {@code c}'s round trip {@code i} stores its latency, from just before
     * the request is written to just after the whole echo was read, in {@code latencies[c][i]}
     * (nanoseconds).
     */
    void run(int roundTrips, long[][] latencies) throws Exception;

    @Override
    void close();

    /** Starts the server and connects {@code connections} clients exchanging {@code messageSize}-byte messages. */
    static EchoWorkload start(Implementation implementation, int connections, int messageSize) throws Exception {
        String reason = implementation.unavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException(implementation.id + ": " + reason);
        }
        switch (implementation) {
            case ASYNC_RUNTIME:
                return new AsyncRuntimeEcho(connections, messageSize);
            case NETTY_NIO:
                return new NettyEcho(false, connections, messageSize);
            case NETTY_EPOLL:
                return new NettyEcho(true, connections, messageSize);
            case VIRTUAL_THREADS:
                return new VirtualThreadEcho(connections, messageSize);
            default:
                throw new UnsupportedOperationException("no TCP echo workload for " + implementation.id);
        }
    }
}

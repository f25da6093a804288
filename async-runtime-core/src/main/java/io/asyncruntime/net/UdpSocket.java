package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A UDP socket: datagrams sent and received through the runtime's I/O driver.
 *
 * <pre>{@code
 * Task<Void> reply = UdpSocket.bind(address).flatMap(socket -> {
 *     ByteBuffer buffer = ByteBuffer.allocate(1500);
 *     return socket.recvFrom(buffer).flatMap(sender -> socket.sendTo(buffer.flip(), sender));
 * }).map(sent -> null);
 * }</pre>
 *
 * <p>A datagram larger than the buffer it is received into is truncated (the rest is dropped, as
 * with {@link DatagramChannel}). Several tasks may send and receive on one socket at once; each
 * datagram goes to one receiver. A cancelled receive loses no datagram: it stays queued for the
 * next receive. Thread-safe.
 */
public final class UdpSocket implements AutoCloseable {

    private final DatagramChannel channel;
    private final IoRegistration registration;
    private final SocketAddress local;
    private volatile SocketAddress peer;

    private UdpSocket(DatagramChannel channel, IoRegistration registration, SocketAddress local) {
        this.channel = channel;
        this.registration = registration;
        this.local = local;
    }

    /**
     * Binds a socket to {@code address} (port 0 picks a free port). Fails with
     * {@link java.net.BindException} naming the address if it is in use.
     *
     * @throws IllegalArgumentException if {@code address} is null or unresolved
     */
    public static Task<UdpSocket> bind(SocketAddress address) {
        TcpStream.requireResolved(address, "address");
        return Task.call(() -> open(address));
    }

    private static UdpSocket open(SocketAddress address) throws IOException {
        IoDriver driver = IoDriver.current();
        DatagramChannel ch;
        try {
            ch = DatagramChannel.open();
        } catch (IOException e) {
            throw NetErrors.withAddress(e, "bind", address);
        }
        try {
            ch.configureBlocking(false);
            ch.bind(address);
            return new UdpSocket(ch, driver.register(ch), ch.getLocalAddress());
        } catch (IOException e) {
            TcpStream.closeQuietly(ch);
            throw NetErrors.withAddress(e, "bind", address);
        } catch (RuntimeException e) {
            TcpStream.closeQuietly(ch);
            throw e;
        }
    }

    /**
     * Connects the socket to {@code address}: {@link #send} and {@link #recv} then talk to it only,
     * and datagrams from anyone else are dropped. No packet is sent.
     *
     * @throws IllegalArgumentException if {@code address} is null or unresolved
     */
    public Task<Void> connect(SocketAddress address) {
        TcpStream.requireResolved(address, "address");
        return Task.call(() -> {
            try {
                channel.connect(address);
            } catch (IOException e) {
                throw failure(e, "connect to", address);
            }
            peer = address;
            return null;
        });
    }

    /**
     * Sends {@code src} (its remaining bytes, as one datagram) to the connected peer; the value
     * is the number of bytes sent, all of them.
     *
     * @throws IllegalArgumentException if {@code src} is null
     */
    public Task<Integer> send(ByteBuffer src) {
        return new Send(requireBuffer(src, "src"), null);
    }

    /**
     * Sends {@code src} (its remaining bytes, as one datagram) to {@code target}; the value is the
     * number of bytes sent, all of them.
     *
     * @throws IllegalArgumentException if {@code src} or {@code target} is null, or {@code target} unresolved
     */
    public Task<Integer> sendTo(ByteBuffer src, SocketAddress target) {
        return new Send(requireBuffer(src, "src"), TcpStream.requireResolved(target, "target"));
    }

    /**
     * Receives one datagram from the connected peer into {@code dst}; the value is its length as
     * received (truncated to {@code dst}'s room).
     *
     * @throws IllegalArgumentException if {@code dst} is null or read-only
     */
    public Task<Integer> recv(ByteBuffer dst) {
        ByteBuffer buffer = requireWritable(dst);
        return new Receive<Integer>(buffer, true);
    }

    /**
     * Receives one datagram from anyone into {@code dst}; the value is the sender's address, and
     * {@code dst}'s position advanced by the datagram's length (truncated to its room).
     *
     * @throws IllegalArgumentException if {@code dst} is null or read-only
     */
    public Task<SocketAddress> recvFrom(ByteBuffer dst) {
        return new Receive<SocketAddress>(requireWritable(dst), false);
    }

    /** The address this socket is bound to. */
    public SocketAddress localAddress() {
        return local;
    }

    /** The connected peer, or {@code null} if {@link #connect} was not called. */
    public SocketAddress peerAddress() {
        return peer;
    }

    /** Whether {@link #close()} was called (or the runtime shut down and closed this socket). */
    public boolean isClosed() {
        return registration.isClosed();
    }

    /**
     * Closes the socket; pending sends and receives fail with
     * {@link java.nio.channels.ClosedChannelException}. Idempotent.
     *
     * @throws UncheckedIOException if the OS reports an error closing the socket (it is closed anyway)
     */
    @Override
    public void close() {
        try {
            registration.close("the UdpSocket was closed");
        } catch (IOException e) {
            throw new UncheckedIOException("close of the UdpSocket on " + local + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "UdpSocket[" + local + (peer != null ? " -> " + peer : "") + (isClosed() ? ", closed]" : "]");
    }

    private IOException failure(IOException e, String action, Object address) {
        if (registration.isClosed()) {
            return NetErrors.closed(action, address, registration.closeReason());
        }
        return NetErrors.withAddress(e, action, address);
    }

    private SocketAddress requireConnected(String operation) {
        SocketAddress connected = peer;
        if (connected == null) {
            throw new IllegalStateException(operation + " needs a connected UdpSocket (this one is on " + local
                    + " and not connected): call connect(address) first, or use sendTo/recvFrom");
        }
        return connected;
    }

    private static ByteBuffer requireBuffer(ByteBuffer buffer, String name) {
        if (buffer == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return buffer;
    }

    private static ByteBuffer requireWritable(ByteBuffer dst) {
        requireBuffer(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst must be a writable buffer, got a read-only one");
        }
        return dst;
    }

    /** {@link #send} (target null: the connected peer) and {@link #sendTo}. */
    private final class Send extends IoOperation<Integer> {

        private final ByteBuffer src;
        private final SocketAddress target;

        Send(ByteBuffer src, SocketAddress target) {
            this.src = src;
            this.target = target;
        }

        @Override
        IoRegistration registration() {
            return registration;
        }

        @Override
        int direction() {
            return IoRegistration.WRITE;
        }

        @Override
        public Poll<Integer> poll(Context cx) throws Exception {
            SocketAddress to = target != null ? target : requireConnected("send");
            for (;;) {
                long token = ready(cx, "send to", to);
                if (token == IoRegistration.NOT_READY || !cx.consumeBudget()) {
                    return Poll.pending();
                }
                int wanted = src.remaining();
                int sent;
                try {
                    sent = target != null ? channel.send(src, target) : channel.write(src);
                } catch (IOException e) {
                    throw failure(e, "send to", to);
                }
                if (sent > 0 || wanted == 0) {
                    return ReadyCounts.of(sent);
                }
                registration.clearReady(IoRegistration.WRITE, token);
            }
        }
    }

    /** {@link #recv} ({@code connectedOnly}: value is the length) and {@link #recvFrom} (value is the sender). */
    private final class Receive<T> extends IoOperation<T> {

        private final ByteBuffer dst;
        private final boolean connectedOnly;

        Receive(ByteBuffer dst, boolean connectedOnly) {
            this.dst = dst;
            this.connectedOnly = connectedOnly;
        }

        @Override
        IoRegistration registration() {
            return registration;
        }

        @Override
        int direction() {
            return IoRegistration.READ;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Poll<T> poll(Context cx) throws Exception {
            Object from = connectedOnly ? requireConnected("recv") : local;
            for (;;) {
                long token = ready(cx, "receive on", local);
                if (token == IoRegistration.NOT_READY || !cx.consumeBudget()) {
                    return Poll.pending();
                }
                int before = dst.position();
                SocketAddress sender;
                try {
                    sender = channel.receive(dst);
                } catch (IOException e) {
                    throw failure(e, "receive from", from);
                }
                if (sender != null) {
                    return connectedOnly ? (Poll<T>) ReadyCounts.of(dst.position() - before) : Poll.ready((T) sender);
                }
                registration.clearReady(IoRegistration.READ, token);
            }
        }
    }
}

package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A TCP connection: a non-blocking {@link SocketChannel} driven by the runtime's I/O driver.
 *
 * <pre>{@code
 * Task<Void> echoOnce = TcpStream.connect(address).flatMap(stream ->
 *         stream.writeAll(ByteBuffer.wrap("ping".getBytes()))
 *               .flatMap(v -> stream.readExact(ByteBuffer.allocate(4)))
 *               .map(v -> { stream.close(); return null; }));
 * }</pre>
 *
 * <p>Every I/O method returns a lazy {@link Task}: nothing happens until it is spawned or awaited
 * inside a runtime built with I/O (the default). One task may read while another writes; two
 * tasks reading at once (or two writing) is a usage error and fails with
 * {@link IllegalStateException}, since their bytes would interleave unpredictably.
 *
 * <p>Cancelling a {@link #read} consumes no bytes: they stay in the socket for the next read.
 * Errors name the operation and the peer: {@link java.net.SocketException} for a reset
 * connection, {@link java.nio.channels.ClosedChannelException} for use after {@link #close()}
 * (or after the runtime shut down), {@link java.io.EOFException} when {@link #readExact} meets
 * the end of the stream. Thread-safe; nullness: no method accepts or returns {@code null} unless
 * it says so.
 */
public final class TcpStream implements AutoCloseable {

    /** {@link #pollRead} / {@link #pollWrite} result: not done yet (waker registered, or budget spent). */
    static final int PENDING = -2;

    private static final VarHandle READER;
    private static final VarHandle WRITER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            READER = lookup.findVarHandle(TcpStream.class, "reader", Object.class);
            WRITER = lookup.findVarHandle(TcpStream.class, "writer", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SocketChannel channel;
    private final IoRegistration registration;
    /** Cached at creation, so error messages can name them after the channel closed. */
    private final SocketAddress peer;
    private final SocketAddress local;
    /** Reader-only (see its class comment): whether a read after an exact fill tries the socket. */
    private final ReadSpeculation speculation = new ReadSpeculation();
    /** The operation reading now, or null (see {@link #claim}). */
    @SuppressWarnings("unused") // through READER
    private volatile Object reader;
    @SuppressWarnings("unused") // through WRITER
    private volatile Object writer;

    TcpStream(SocketChannel channel, IoRegistration registration) {
        this.channel = channel;
        this.registration = registration;
        this.peer = addressOrNull(true);
        this.local = addressOrNull(false);
    }

    private SocketAddress addressOrNull(boolean remote) {
        try {
            return remote ? channel.getRemoteAddress() : channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Connects to {@code address}. The task fails with {@link java.net.ConnectException} naming the
     * address if nothing listens there; cancelling it closes the half-made socket.
     *
     * @param address a resolved address (e.g. {@code new InetSocketAddress("127.0.0.1", 8080)})
     * @throws IllegalArgumentException if {@code address} is null or an unresolved host name
     */
    public static Task<TcpStream> connect(SocketAddress address) {
        return new Connect(requireResolved(address, "address"));
    }

    /** Takes over a channel just accepted or connected: non-blocking, registered with {@code driver}. */
    static TcpStream adopt(SocketChannel channel, IoDriver driver) throws IOException {
        try {
            channel.configureBlocking(false);
            return new TcpStream(channel, driver.register(channel));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    static SocketAddress requireResolved(SocketAddress address, String name) {
        if (address == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IllegalArgumentException(name + " must be a resolved address, got unresolved " + address
                    + " (resolve the host name first, e.g. new InetSocketAddress(InetAddress.getByName(host), port))");
        }
        return address;
    }

    static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing useful to report: the operation's own failure is what the caller sees.
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    /**
     * Reads what is available, at least one byte, into {@code dst}: the task's value is the
     * number of bytes read, {@code -1} at the end of the stream, or {@code 0} if {@code dst} has
     * no room. Cancelling it consumes nothing.
     *
     * @throws IllegalArgumentException if {@code dst} is null or read-only
     */
    public Task<Integer> read(ByteBuffer dst) {
        return new StreamRead<>(this, requireWritable(dst), false);
    }

    /**
     * Fills the rest of {@code dst} ({@code dst.remaining()} bytes). Fails with
     * {@link java.io.EOFException} if the stream ends first. If cancelled after part of the bytes
     * arrived, those are in {@code dst} (its position says how many): nothing is lost.
     *
     * @throws IllegalArgumentException if {@code dst} is null or read-only
     */
    public Task<Void> readExact(ByteBuffer dst) {
        return new StreamRead<>(this, requireWritable(dst), true);
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Writes as much of {@code src} as the socket takes now, at least one byte (waiting until it
     * takes any): the task's value is the number written, {@code 0} if {@code src} is empty.
     *
     * @throws IllegalArgumentException if {@code src} is null
     */
    public Task<Integer> write(ByteBuffer src) {
        return new StreamWrite<>(this, requireBuffer(src, "src"), false);
    }

    /**
     * Writes all of {@code src}, waiting for room as often as needed. A writer to a peer that
     * does not read waits without spinning until the peer drains. If cancelled, {@code src}'s
     * position says how much was written.
     *
     * @throws IllegalArgumentException if {@code src} is null
     */
    public Task<Void> writeAll(ByteBuffer src) {
        return new StreamWrite<>(this, requireBuffer(src, "src"), true);
    }

    /**
     * Half-closes the connection: the peer reads the end of the stream, and this side can still
     * read what the peer sends. Writing afterwards fails.
     */
    public Task<Void> shutdownOutput() {
        return Task.call(() -> {
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                throw NetErrors.withAddress(e, "shutdownOutput of the stream to", peer);
            }
            return null;
        });
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

    /**
     * One read attempt loop for {@code op}: bytes read, {@code -1} at the end of the stream, or
     * {@link #PENDING}. {@code dst} must have room. A short read (fewer bytes than there was room
     * for) means the socket is most likely drained, so its readiness is cleared at once and the
     * next read waits without a system call that would only say would-block (Tokio does the
     * same); if more did arrive, the still-armed interest reports it at the next select. A read
     * that filled {@code dst} exactly keeps the readiness; whether the next read then tries the
     * socket without an event is learned ({@link ReadSpeculation}).
     */
    int pollRead(Context cx, ByteBuffer dst, IoOperation<?> op) throws IOException {
        // op waits on this stream's registration, READ (StreamRead, the frame reader's operations).
        assert op.direction() == IoRegistration.READ : "a read polled by a write operation";
        for (;;) {
            long token = op.ready(cx, "read from", peer);
            if (token == IoRegistration.NOT_READY || !cx.consumeBudget()) {
                return PENDING;
            }
            boolean speculative = speculation.isSpeculative(token);
            if (speculative && speculation.skip()) {
                // Wait for the selector instead (no-op if an event came since the exact fill).
                registration.clearReady(IoRegistration.READ, token);
                continue;
            }
            int room = dst.remaining();
            int n;
            try {
                n = channel.read(dst);
            } catch (IOException e) {
                throw failure(e, "read from");
            }
            if (speculative) {
                speculation.speculated(n);
            }
            if (n == -1) {
                return n;
            }
            if (n > 0 && n == room) {
                speculation.filledExactly(token);
                return n;
            }
            registration.clearReady(IoRegistration.READ, token);
            if (n > 0) {
                return n;
            }
        }
    }

    /** One write attempt loop for {@code op}: bytes written (at least one), or {@link #PENDING}. */
    int pollWrite(Context cx, ByteBuffer src, IoOperation<?> op) throws IOException {
        // op waits on this stream's registration, WRITE (StreamWrite) (review42 nit 1).
        assert op.direction() == IoRegistration.WRITE : "a write polled by a read operation";
        for (;;) {
            long token = op.ready(cx, "write to", peer);
            if (token == IoRegistration.NOT_READY || !cx.consumeBudget()) {
                return PENDING;
            }
            int wanted = src.remaining();
            int n;
            try {
                n = channel.write(src);
            } catch (IOException e) {
                throw failure(e, "write to");
            }
            if (n < wanted) {
                registration.clearReady(IoRegistration.WRITE, token); // the send buffer is full
            }
            if (n > 0) {
                return n;
            }
        }
    }

    private IOException failure(IOException e, String action) {
        if (registration.isClosed()) {
            return NetErrors.closed(action, peer, registration.closeReason());
        }
        return NetErrors.withAddress(e, action, peer);
    }

    /**
     * Marks {@code op} as this stream's reader ({@link IoRegistration#READ}) or writer; a second
     * operation on the same side while one is unfinished is a usage error.
     */
    void claim(int side, Object op) {
        VarHandle owner = side == IoRegistration.READ ? READER : WRITER;
        if (owner.getAcquire(this) != op && !owner.compareAndSet(this, null, op)) {
            throw new IllegalStateException("another task is already " + (side == IoRegistration.READ
                    ? "reading from" : "writing to") + " the TcpStream to " + peer
                    + ": at most one task may read, and one may write, at a time");
        }
    }

    /** Ends {@code op}'s claim on a side, if it holds it. */
    void release(int side, Object op) {
        VarHandle owner = side == IoRegistration.READ ? READER : WRITER;
        if (owner.getAcquire(this) == op) {
            owner.setRelease(this, null);
        }
    }

    // ---- addresses, options, close ------------------------------------------------------------

    /** The address of the peer this stream is connected to. */
    public SocketAddress peerAddress() {
        return peer;
    }

    /** The local address of this stream. */
    public SocketAddress localAddress() {
        return local;
    }

    /** Sets {@code TCP_NODELAY}: {@code true} sends small writes at once (no Nagle delay). */
    public void setNoDelay(boolean noDelay) {
        setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    /** Whether {@code TCP_NODELAY} is set. */
    public boolean noDelay() {
        return getOption(StandardSocketOptions.TCP_NODELAY);
    }

    /** Sets {@code SO_KEEPALIVE}: the OS probes an idle connection to detect a dead peer. */
    public void setKeepAlive(boolean keepAlive) {
        setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
    }

    /** Whether {@code SO_KEEPALIVE} is set. */
    public boolean keepAlive() {
        return getOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    /**
     * Sets the size of the socket's receive buffer ({@code SO_RCVBUF}), a hint to the OS.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public void setReceiveBufferSize(int bytes) {
        setOption(StandardSocketOptions.SO_RCVBUF, requirePositive(bytes, "receiveBufferSize"));
    }

    /** The size of the socket's receive buffer, as the OS reports it. */
    public int receiveBufferSize() {
        return getOption(StandardSocketOptions.SO_RCVBUF);
    }

    /**
     * Sets the size of the socket's send buffer ({@code SO_SNDBUF}), a hint to the OS.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public void setSendBufferSize(int bytes) {
        setOption(StandardSocketOptions.SO_SNDBUF, requirePositive(bytes, "sendBufferSize"));
    }

    /** The size of the socket's send buffer, as the OS reports it. */
    public int sendBufferSize() {
        return getOption(StandardSocketOptions.SO_SNDBUF);
    }

    static int requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be between 1 and " + Integer.MAX_VALUE + ", got " + value);
        }
        return value;
    }

    /** @throws UncheckedIOException if the option cannot be set (e.g. the stream is closed) */
    private <V> void setOption(SocketOption<V> option, V value) {
        try {
            channel.setOption(option, value);
        } catch (IOException e) {
            throw new UncheckedIOException(failure(e, "set " + option.name() + " on the stream to"));
        }
    }

    private <V> V getOption(SocketOption<V> option) {
        try {
            return channel.getOption(option);
        } catch (IOException e) {
            throw new UncheckedIOException(failure(e, "get " + option.name() + " of the stream to"));
        }
    }

    /** Whether {@link #close()} was called (or the runtime shut down and closed this stream). */
    public boolean isClosed() {
        return registration.isClosed();
    }

    /**
     * Closes the connection. Tasks waiting to read or write on it fail with
     * {@link java.nio.channels.ClosedChannelException}. Idempotent.
     *
     * @throws UncheckedIOException if the OS reports an error closing the socket (it is closed anyway)
     */
    @Override
    public void close() {
        try {
            registration.close("the TcpStream was closed");
        } catch (IOException e) {
            throw new UncheckedIOException("close of the TcpStream to " + peer + " failed: " + e.getMessage(), e);
        }
    }

    /** Whether this stream's reads skip speculative system calls now (tests). */
    boolean skippingSpeculativeReads() {
        return speculation.skipping();
    }

    /** The registration, for operations of this package (the frame reader) and tests. */
    IoRegistration registration() {
        return registration;
    }

    @Override
    public String toString() {
        return "TcpStream[" + local + " -> " + peer + (isClosed() ? ", closed]" : "]");
    }
}

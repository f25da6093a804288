package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * A TCP socket listening for connections.
 *
 * <pre>{@code
 * // An echo server: one task per connection.
 * Task<Void> server = TcpListener.bind(new InetSocketAddress("127.0.0.1", 7000)).flatMap(listener ->
 *         Task.loop(listener, l -> l.accept().map(stream -> {
 *             AsyncRuntime.current().spawn(echo(stream));
 *             return Step.next(l);
 *         })));
 * }</pre>
 *
 * <p>Several tasks may accept on one listener at once. A cancelled {@link #accept} loses no
 * connection: it stays queued in the OS and the next accept gets it. {@link #close()} makes
 * pending accepts fail with {@link java.nio.channels.ClosedChannelException}. Thread-safe.
 */
public final class TcpListener implements AutoCloseable {

    private final ServerSocketChannel channel;
    private final IoRegistration registration;
    private final IoDriver driver;
    private final SocketAddress local;

    private TcpListener(ServerSocketChannel channel, IoRegistration registration, IoDriver driver, SocketAddress local) {
        this.channel = channel;
        this.registration = registration;
        this.driver = driver;
        this.local = local;
    }

    /**
     * Binds a listener to {@code address} with the system's default backlog. Port 0 picks a free
     * port ({@link #localAddress()} tells which). The task fails with
     * {@link java.net.BindException} naming the address if it is in use.
     *
     * @throws IllegalArgumentException if {@code address} is null or unresolved
     */
    public static Task<TcpListener> bind(SocketAddress address) {
        return bind(address, 0);
    }

    /**
     * Binds a listener to {@code address}, queueing at most about {@code backlog} connections
     * that were not accepted yet.
     *
     * @param backlog 0 for the system's default, else 1 to {@link Integer#MAX_VALUE}
     * @throws IllegalArgumentException if {@code address} is null or unresolved, or {@code backlog} negative
     */
    public static Task<TcpListener> bind(SocketAddress address, int backlog) {
        TcpStream.requireResolved(address, "address");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be between 0 (the system default) and "
                    + Integer.MAX_VALUE + ", got " + backlog);
        }
        return Task.call(() -> open(address, backlog));
    }

    private static TcpListener open(SocketAddress address, int backlog) throws IOException {
        IoDriver driver = IoDriver.current();
        ServerSocketChannel ch;
        try {
            ch = ServerSocketChannel.open();
        } catch (IOException e) {
            throw NetErrors.withAddress(e, "bind", address);
        }
        try {
            ch.configureBlocking(false);
            ch.bind(address, backlog);
            SocketAddress local = ch.getLocalAddress();
            return new TcpListener(ch, driver.register(ch), driver, local);
        } catch (IOException e) {
            TcpStream.closeQuietly(ch);
            throw NetErrors.withAddress(e, "bind", address);
        } catch (RuntimeException e) {
            TcpStream.closeQuietly(ch);
            throw e;
        }
    }

    /** Waits for the next connection and returns it as a stream. */
    public Task<TcpStream> accept() {
        return new Accept(this);
    }

    /** The address the listener is bound to (with the actual port if bound to port 0). */
    public SocketAddress localAddress() {
        return local;
    }

    ServerSocketChannel channel() {
        return channel;
    }

    IoRegistration registration() {
        return registration;
    }

    IoDriver driver() {
        return driver;
    }

    /** Whether {@link #close()} was called (or the runtime shut down and closed this listener). */
    public boolean isClosed() {
        return registration.isClosed();
    }

    /**
     * Stops listening. Pending accepts fail with {@link java.nio.channels.ClosedChannelException};
     * connections accepted before stay open. Idempotent.
     *
     * @throws UncheckedIOException if the OS reports an error closing the socket (it is closed anyway)
     */
    @Override
    public void close() {
        try {
            registration.close("the TcpListener was closed");
        } catch (IOException e) {
            throw new UncheckedIOException("close of the TcpListener on " + local + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TcpListener[" + local + (isClosed() ? ", closed]" : "]");
    }
}

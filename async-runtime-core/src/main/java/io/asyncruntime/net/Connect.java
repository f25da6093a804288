package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * {@link TcpStream#connect}: opens a non-blocking socket at the first poll, starts the connect,
 * and waits for the socket to become connectable. A failure or a cancel closes the socket, so a
 * connect that did not produce a stream leaves nothing open.
 */
final class Connect extends IoOperation<TcpStream> {

    private final SocketAddress address;
    private SocketChannel channel;
    private IoRegistration registration;
    private boolean handedOver;

    Connect(SocketAddress address) {
        this.address = address;
    }

    @Override
    public Poll<TcpStream> poll(Context cx) throws Exception {
        if (registration == null) {
            IoDriver driver = IoDriver.current();
            SocketChannel ch = openChannel();
            boolean connected;
            try {
                ch.configureBlocking(false);
                connected = ch.connect(address);
                registration = driver.register(ch);
            } catch (IOException e) {
                TcpStream.closeQuietly(ch);
                throw NetErrors.withAddress(e, "connect to", address);
            } catch (RuntimeException e) {
                TcpStream.closeQuietly(ch);
                throw e;
            }
            channel = ch;
            if (connected) {
                return handOver();
            }
        }
        for (;;) {
            long token = ready(cx, "connect to", address);
            if (token == IoRegistration.NOT_READY || !cx.consumeBudget()) {
                return Poll.pending();
            }
            boolean connected;
            try {
                connected = channel.finishConnect();
            } catch (IOException e) {
                registration.close("the connect failed");
                throw NetErrors.withAddress(e, "connect to", address);
            }
            if (connected) {
                return handOver();
            }
            registration.clearReady(IoRegistration.WRITE, token);
        }
    }

    @Override
    IoRegistration registration() {
        return registration;
    }

    @Override
    int direction() {
        return IoRegistration.WRITE;                         // connectable: OP_CONNECT is armed with the write ops
    }

    private SocketChannel openChannel() throws IOException {
        try {
            return SocketChannel.open();
        } catch (IOException e) {
            throw NetErrors.withAddress(e, "connect to", address);
        }
    }

    private Poll<TcpStream> handOver() {
        handedOver = true;
        return Poll.ready(new TcpStream(channel, registration));
    }

    /** A connect cancelled before it produced a stream closes its socket. */
    @Override
    void onCancel() {
        if (registration != null && !handedOver) {
            try {
                registration.close("the connect was cancelled");
            } catch (IOException ignored) {
                // The socket is closed as far as anyone can use it; nothing to report to a cancelled task.
            }
        }
    }

    @Override
    public String toString() {
        return "TcpStream.connect(" + address + ")";
    }
}

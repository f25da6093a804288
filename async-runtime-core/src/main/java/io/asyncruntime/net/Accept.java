package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/** {@link TcpListener#accept}: the connection is taken from the OS only in the poll that returns it. */
final class Accept extends IoOperation<TcpStream> {

    private final TcpListener listener;

    Accept(TcpListener listener) {
        this.listener = listener;
    }

    @Override
    public Poll<TcpStream> poll(Context cx) throws Exception {
        IoRegistration registration = listener.registration();
        for (;;) {
            long token = ready(cx, "accept on", listener.localAddress());
            if (token == IoRegistration.NOT_READY || !cx.consumeBudget()) {
                return Poll.pending();
            }
            SocketChannel accepted;
            try {
                accepted = listener.channel().accept();
            } catch (IOException e) {
                if (registration.isClosed()) {
                    throw NetErrors.closed("accept on", listener.localAddress(), registration.closeReason());
                }
                throw NetErrors.withAddress(e, "accept on", listener.localAddress());
            }
            if (accepted != null) {
                return Poll.ready(TcpStream.adopt(accepted, listener.driver()));
            }
            registration.clearReady(IoRegistration.READ, token);
        }
    }

    @Override
    IoRegistration registration() {
        return listener.registration();
    }

    @Override
    int direction() {
        return IoRegistration.READ;                          // acceptable: OP_ACCEPT is the listener's read op
    }

    @Override
    public String toString() {
        return "TcpListener.accept(" + listener.localAddress() + ")";
    }
}

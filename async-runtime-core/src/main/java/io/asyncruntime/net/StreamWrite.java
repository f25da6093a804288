package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import java.nio.ByteBuffer;

/** {@link TcpStream#write} ({@code Integer}) and {@link TcpStream#writeAll} ({@code Void}). */
final class StreamWrite<T> extends IoOperation<T> {

    private final TcpStream stream;
    private final ByteBuffer src;
    private final boolean all;
    private boolean claimed;

    StreamWrite(TcpStream stream, ByteBuffer src, boolean all) {
        this.stream = stream;
        this.src = src;
        this.all = all;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<T> poll(Context cx) throws Exception {
        if (!claimed) {
            stream.claim(IoRegistration.WRITE, this);
            claimed = true;
        }
        try {
            if (!all) {
                if (!src.hasRemaining()) {
                    return finish((T) Integer.valueOf(0));
                }
                int n = stream.pollWrite(cx, src, this);
                return n == TcpStream.PENDING ? Poll.pending() : finish((T) Integer.valueOf(n));
            }
            while (src.hasRemaining()) {
                if (stream.pollWrite(cx, src, this) == TcpStream.PENDING) {
                    return Poll.pending();
                }
            }
            return finish(null);
        } catch (Exception | Error e) {
            stream.release(IoRegistration.WRITE, this);
            throw e;
        }
    }

    private Poll<T> finish(T value) {
        stream.release(IoRegistration.WRITE, this);
        return Poll.ready(value);
    }

    @Override
    void onCancel() {
        stream.release(IoRegistration.WRITE, this);
    }

    @Override
    public String toString() {
        return (all ? "TcpStream.writeAll(" : "TcpStream.write(") + src.remaining() + " bytes to " + stream.peerAddress() + ")";
    }
}

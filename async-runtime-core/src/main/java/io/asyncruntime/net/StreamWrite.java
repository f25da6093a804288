package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import java.nio.ByteBuffer;

/**
 * {@link TcpStream#write} ({@code Integer}) and {@link TcpStream#writeAll} ({@code Void}). One per
 * call, so kept at 32 bytes (compressed oops): see {@link IoOperation}.
 */
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
    IoRegistration registration() {
        return stream.registration();
    }

    @Override
    int direction() {
        return IoRegistration.WRITE;
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
                    return finish((Poll<T>) ReadyCounts.of(0));
                }
                int n = stream.pollWrite(cx, src, this);
                return n == TcpStream.PENDING ? Poll.pending() : finish((Poll<T>) ReadyCounts.of(n));
            }
            while (src.hasRemaining()) {
                if (stream.pollWrite(cx, src, this) == TcpStream.PENDING) {
                    return Poll.pending();
                }
            }
            return finish(Poll.ready(null));
        } catch (Exception | Error e) {
            stream.release(IoRegistration.WRITE, this);
            throw e;
        }
    }

    private Poll<T> finish(Poll<T> result) {
        stream.release(IoRegistration.WRITE, this);
        return result;
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

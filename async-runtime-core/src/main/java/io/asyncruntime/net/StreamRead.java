package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import java.io.EOFException;
import java.nio.ByteBuffer;

/**
 * {@link TcpStream#read} ({@code Integer}) and {@link TcpStream#readExact} ({@code Void}). One per
 * call, so kept at 32 bytes (compressed oops): see {@link IoOperation}.
 */
final class StreamRead<T> extends IoOperation<T> {

    private final TcpStream stream;
    private final ByteBuffer dst;
    private final boolean exact;
    private boolean claimed;
    /** readExact: bytes it has read so far (for the end-of-stream message). */
    private int done;

    StreamRead(TcpStream stream, ByteBuffer dst, boolean exact) {
        this.stream = stream;
        this.dst = dst;
        this.exact = exact;
    }

    @Override
    IoRegistration registration() {
        return stream.registration();
    }

    @Override
    int direction() {
        return IoRegistration.READ;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<T> poll(Context cx) throws Exception {
        if (!claimed) {
            stream.claim(IoRegistration.READ, this);
            claimed = true;
        }
        try {
            if (!exact) {
                if (!dst.hasRemaining()) {
                    return finish((Poll<T>) ReadyCounts.of(0));
                }
                int n = stream.pollRead(cx, dst, this);
                return n == TcpStream.PENDING ? Poll.pending() : finish((Poll<T>) ReadyCounts.of(n));
            }
            while (dst.hasRemaining()) {
                int n = stream.pollRead(cx, dst, this);
                if (n == TcpStream.PENDING) {
                    return Poll.pending();
                }
                if (n < 0) {
                    throw new EOFException("the stream from " + stream.peerAddress() + " ended after " + done + " of the "
                            + (done + dst.remaining()) + " bytes readExact waited for");
                }
                done += n;
            }
            return finish(Poll.ready(null));
        } catch (Exception | Error e) {
            stream.release(IoRegistration.READ, this);
            throw e;
        }
    }

    private Poll<T> finish(Poll<T> result) {
        stream.release(IoRegistration.READ, this);
        return result;
    }

    @Override
    void onCancel() {
        stream.release(IoRegistration.READ, this);
    }

    @Override
    public String toString() {
        return (exact ? "TcpStream.readExact(" : "TcpStream.read(") + dst.remaining() + " bytes from " + stream.peerAddress() + ")";
    }
}

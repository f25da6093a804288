package io.asyncruntime.net;

import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A buffered reader over a {@link TcpStream} for framed protocols: frames ended by a delimiter
 * ({@link #readUntil}, {@link #readLine}) and frames of a known length ({@link #readExact}), as
 * in RESP or HTTP/1 headers. No frame may exceed {@link #maxFrameSize()}: a peer that sends a
 * longer one fails the read with {@link FrameTooLongException} instead of growing the buffer
 * without bound.
 *
 * <pre>{@code
 * FrameReader in = new FrameReader(stream, 512 * 1024);
 * Task<String> firstLine = in.readLine();          // "PING" for "PING\r\n"
 * }</pre>
 *
 * <p>The reader takes the stream's read side for each of its operations (so it cannot run with
 * another read on the same stream); writing to the stream stays free. Bytes the reader buffered
 * are not lost when an operation is cancelled: the next operation starts from them. After a
 * {@link FrameTooLongException} or an {@link EOFException} the stream's framing is lost and the
 * usual next step is to close it. One operation at a time; not for concurrent use.
 */
public final class FrameReader {

    /** The default {@link #maxFrameSize()}: 64 KiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 64 * 1024;
    /** The largest {@link #maxFrameSize()} accepted: 1 GiB (the buffer is one array). */
    public static final int MAX_FRAME_SIZE_LIMIT = 1 << 30;
    /** First buffer size; it doubles up to the frame limit as frames require. */
    private static final int INITIAL_BUFFER = 8 * 1024;

    private final TcpStream stream;
    private final int maxFrameSize;
    /** Unread bytes are {@code buffer[start, end)}; {@link #window} reads from the socket into the rest. */
    private byte[] buffer;
    private ByteBuffer window;
    private int start;
    private int end;
    /** How far past {@link #start} a delimiter search already looked (so each byte is scanned once). */
    private int scanned;

    /** A reader over {@code stream} with frames of at most {@value #DEFAULT_MAX_FRAME_SIZE} bytes. */
    public FrameReader(TcpStream stream) {
        this(stream, DEFAULT_MAX_FRAME_SIZE);
    }

    /**
     * A reader over {@code stream} with frames of at most {@code maxFrameSize} bytes (a delimited
     * frame counts its delimiter).
     *
     * @throws IllegalArgumentException if {@code stream} is null or {@code maxFrameSize} is not
     *     between 1 and {@value #MAX_FRAME_SIZE_LIMIT}
     */
    public FrameReader(TcpStream stream, int maxFrameSize) {
        if (stream == null) {
            throw new IllegalArgumentException("stream must not be null");
        }
        if (maxFrameSize < 1 || maxFrameSize > MAX_FRAME_SIZE_LIMIT) {
            throw new IllegalArgumentException("maxFrameSize must be between 1 and " + MAX_FRAME_SIZE_LIMIT
                    + ", got " + maxFrameSize);
        }
        this.stream = stream;
        this.maxFrameSize = maxFrameSize;
        this.buffer = new byte[Math.min(INITIAL_BUFFER, maxFrameSize)];
        this.window = ByteBuffer.wrap(buffer);
    }

    /**
     * The next frame up to and including {@code delimiter}, as a new buffer ready to read; {@code null}
     * if the stream ended cleanly before any byte of a frame. Fails with {@link EOFException} if
     * the stream ends inside a frame, and with {@link FrameTooLongException} if no delimiter comes
     * within {@link #maxFrameSize()} bytes.
     */
    public Task<ByteBuffer> readUntil(byte delimiter) {
        return new ReadFrame<>(delimiter, false);
    }

    /**
     * The next line, ended by {@code \n} or {@code \r\n} (not included), decoded as UTF-8;
     * {@code null} at the end of the stream. A last line without a line end is returned as it is.
     * Fails with {@link FrameTooLongException} if no line end comes within {@link #maxFrameSize()} bytes.
     */
    public Task<String> readLine() {
        return new ReadFrame<>((byte) '\n', true);
    }

    /**
     * The next {@code length} bytes, as a new buffer ready to read. Fails with {@link EOFException}
     * if the stream ends first.
     *
     * @throws IllegalArgumentException if {@code length} is not between 0 and {@link #maxFrameSize()}
     */
    public Task<ByteBuffer> readExact(int length) {
        if (length < 0 || length > maxFrameSize) {
            throw new IllegalArgumentException("length must be between 0 and maxFrameSize (" + maxFrameSize
                    + "), got " + length);
        }
        return new ReadLength(length);
    }

    /** The largest frame this reader accepts, in bytes. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** Bytes read from the stream and not yet returned in a frame. */
    public int buffered() {
        return end - start;
    }

    /** The stream this reader reads from (write to it directly). */
    public TcpStream stream() {
        return stream;
    }

    // ---- buffer management -------------------------------------------------------------------

    /**
     * Reads more bytes from the stream into the buffer, making room first: bytes read, {@code -1}
     * at the end of the stream, or {@link TcpStream#PENDING}.
     */
    private int fill(Context cx, IoOperation<?> op) throws Exception {
        if (end == buffer.length) {
            makeRoom();
        }
        window.limit(buffer.length).position(end);
        int n = stream.pollRead(cx, window, op);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /** Moves the unread bytes to the front, or grows the buffer (up to the frame limit) if they fill it. */
    private void makeRoom() {
        int unread = end - start;
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, unread);
        } else {
            int grown = (int) Math.min((long) buffer.length * 2, maxFrameSize);
            buffer = Arrays.copyOf(buffer, Math.max(grown, buffer.length + 1));
            window = ByteBuffer.wrap(buffer);
        }
        start = 0;
        end = unread;
    }

    private ByteBuffer take(int length) {
        ByteBuffer frame = ByteBuffer.wrap(Arrays.copyOfRange(buffer, start, start + length));
        start += length;
        scanned = 0;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return frame;
    }

    private static String line(ByteBuffer frame, boolean delimited) {
        int length = frame.remaining();
        if (delimited) {
            length--;                                            // the '\n'
            if (length > 0 && frame.get(length - 1) == '\r') {
                length--;
            }
        }
        return new String(frame.array(), 0, length, StandardCharsets.UTF_8);
    }

    // ---- operations --------------------------------------------------------------------------

    /** The stream's read side, held for the length of one reader operation. */
    private abstract class ReaderOperation<T> extends IoOperation<T> {

        private boolean claimed;

        @Override
        public final Poll<T> poll(Context cx) throws Exception {
            if (!claimed) {
                stream.claim(IoRegistration.READ, this);
                claimed = true;
            }
            try {
                Poll<T> result = pollFrame(cx);
                if (result.isReady()) {
                    stream.release(IoRegistration.READ, this);
                }
                return result;
            } catch (Exception | Error e) {
                stream.release(IoRegistration.READ, this);
                throw e;
            }
        }

        abstract Poll<T> pollFrame(Context cx) throws Exception;

        @Override
        final IoRegistration registration() {
            return stream.registration();
        }

        @Override
        final int direction() {
            return IoRegistration.READ;
        }

        @Override
        final void onCancel() {
            stream.release(IoRegistration.READ, this);
        }
    }

    /** {@link #readUntil} (value: the frame) and {@link #readLine} (value: the decoded line). */
    private final class ReadFrame<T> extends ReaderOperation<T> {

        private final byte delimiter;
        private final boolean asLine;

        ReadFrame(byte delimiter, boolean asLine) {
            this.delimiter = delimiter;
            this.asLine = asLine;
        }

        @Override
        @SuppressWarnings("unchecked")
        Poll<T> pollFrame(Context cx) throws Exception {
            for (;;) {
                int limit = start + Math.min(end - start, maxFrameSize);
                for (int i = start + scanned; i < limit; i++) {
                    if (buffer[i] == delimiter) {
                        ByteBuffer frame = take(i - start + 1);
                        return Poll.ready(asLine ? (T) line(frame, true) : (T) frame);
                    }
                }
                scanned = limit - start;
                if (scanned >= maxFrameSize) {
                    throw new FrameTooLongException("no " + describe(delimiter) + " within the first " + maxFrameSize
                            + " bytes from " + stream.peerAddress() + " (maxFrameSize " + maxFrameSize + ")");
                }
                int n = fill(cx, this);
                if (n == TcpStream.PENDING) {
                    return Poll.pending();
                }
                if (n < 0) {
                    int unread = end - start;
                    if (unread == 0) {
                        return Poll.ready(null);
                    }
                    if (asLine) {
                        return Poll.ready((T) line(take(unread), false));
                    }
                    throw new EOFException("the stream from " + stream.peerAddress() + " ended inside a frame: "
                            + unread + " bytes without a " + describe(delimiter));
                }
            }
        }

        private String describe(byte b) {
            return asLine ? "line end" : String.format("delimiter 0x%02x", b & 0xff);
        }
    }

    /** {@link #readExact(int)}. */
    private final class ReadLength extends ReaderOperation<ByteBuffer> {

        private final int length;

        ReadLength(int length) {
            this.length = length;
        }

        @Override
        Poll<ByteBuffer> pollFrame(Context cx) throws Exception {
            while (end - start < length) {
                if (start + length > buffer.length && start > 0) {
                    makeRoomAtFront();
                }
                int n = fill(cx, this);
                if (n == TcpStream.PENDING) {
                    return Poll.pending();
                }
                if (n < 0) {
                    throw new EOFException("the stream from " + stream.peerAddress() + " ended after " + (end - start)
                            + " of the " + length + " bytes readExact waited for");
                }
            }
            return Poll.ready(take(length));
        }
    }

    /** Slides the unread bytes to the front (no growth): room for a frame that starts late in the buffer. */
    private void makeRoomAtFront() {
        int unread = end - start;
        System.arraycopy(buffer, start, buffer, 0, unread);
        start = 0;
        end = unread;
    }
}

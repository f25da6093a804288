package io.asyncruntime.sample.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The replies of one connection, encoded as RESP2 into one growing byte array, so that a
 * pipelined batch goes out with one write: a connection appends every reply of the batch it read
 * and then flushes once (flushing per reply is what held Tokio's mini-redis to ~18k requests/s
 * with 16 commands per pipeline). Not thread-safe: one per connection.
 */
final class RespOutput {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Replies to answer most commands with, encoded once. */
    static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] SMALL_INTEGERS = new byte[64][];
    /** Room for "-9223372036854775808": the longest decimal long. */
    private static final int MAX_LONG_DIGITS = 20;

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Encoded replies are {@code buf[flushed, size)}; {@code buf[0, flushed)} was written already. */
    private byte[] buf;
    private int size;
    private int flushed;

    RespOutput(int initialCapacity) {
        this.buf = new byte[initialCapacity];
    }

    /** Bytes encoded and not yet written. */
    int pending() {
        return size - flushed;
    }

    /**
     * The replies not yet written, as a buffer to write from; valid until the next append or
     * {@link #written}. Its position tells how much a write took.
     */
    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(buf, flushed, size - flushed);
    }

    /**
     * {@code n} more bytes were written. Once everything is, the buffer starts over (and one that
     * grew past {@code keepCapacity} goes back to the GC); while a slow client keeps part of it
     * waiting, the written half is dropped by a compaction, so the buffer holds what waits, not
     * everything the connection ever answered (amortised O(1) per byte).
     */
    void written(int n, int keepCapacity) {
        flushed += n;
        if (flushed == size) {
            flushed = 0;
            size = 0;
            if (buf.length > keepCapacity) {
                buf = new byte[keepCapacity];
            }
        } else if (flushed > buf.length / 2) {
            System.arraycopy(buf, flushed, buf, 0, size - flushed);
            size -= flushed;
            flushed = 0;
        }
    }

    void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    /** {@code +text}: {@code text} must not contain CR or LF. */
    void simpleString(String text) {
        ensure(text.length() + 3);
        buf[size++] = '+';
        ascii(text);
        crlf();
    }

    /** {@code -message}; the message's CR and LF become spaces, as Redis does. */
    void error(String message) {
        ensure(message.length() + 3);
        buf[size++] = '-';
        int from = size;
        ascii(message);
        for (int i = from; i < size; i++) {
            if (buf[i] == '\r' || buf[i] == '\n') {
                buf[i] = ' ';
            }
        }
        crlf();
    }

    void integer(long value) {
        if (value >= 0 && value < SMALL_INTEGERS.length) {
            raw(SMALL_INTEGERS[(int) value]);
            return;
        }
        ensure(MAX_LONG_DIGITS + 3);
        buf[size++] = ':';
        decimal(value);
        crlf();
    }

    /** A bulk string, or the null bulk string for null. */
    void bulk(byte[] value) {
        if (value == null) {
            raw(NULL_BULK);
            return;
        }
        ensure(value.length + MAX_LONG_DIGITS + 5);
        buf[size++] = '$';
        decimal(value.length);
        crlf();
        System.arraycopy(value, 0, buf, size, value.length);
        size += value.length;
        crlf();
    }

    void bulk(String value) {
        bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    void nullBulk() {
        raw(NULL_BULK);
    }

    void nullArray() {
        raw(NULL_ARRAY);
    }

    /** {@code *count}: the next {@code count} replies are its elements. */
    void arrayHeader(int count) {
        ensure(MAX_LONG_DIGITS + 3);
        buf[size++] = '*';
        decimal(count);
        crlf();
    }

    private void ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            buf[size++] = c < 0x80 ? (byte) c : (byte) '?';
        }
    }

    private void crlf() {
        buf[size++] = CRLF[0];
        buf[size++] = CRLF[1];
    }

    private void decimal(long value) {
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return;
        }
        if (value < 0) {
            buf[size++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10) {
            digits++;
        }
        for (int i = size + digits - 1; i >= size; i--) {
            buf[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += digits;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a reply batch cannot exceed 2 GiB, needed " + needed + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
        }
    }

}

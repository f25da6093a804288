package io.asyncruntime.sample.redis;

import java.util.Arrays;

/**
 * Parses RESP2 requests out of a byte window: multibulk arrays of bulk strings
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}, what every client library sends) and inline commands
 * ({@code PING\r\n}, what a person types into {@code nc}).
 *
 * <p><b>Partial frames.</b> {@link #parse} takes the window {@code [start, end)} of what was read
 * so far. A frame that is not complete yet returns {@code null} and consumes nothing: it is parsed
 * again from its first byte once more bytes arrived (headers only are re-scanned, bulk payloads
 * are skipped by their length, so a frame costs O(arguments) per read). {@link #required()} then
 * says how many bytes the frame needs at least, so the caller can grow its buffer in one step.
 * A pipelined batch is parsed by calling {@link #parse} again from {@link #next()}.
 *
 * <p><b>Limits</b> (Redis's own where it has one): at most {@value #MAX_MULTIBULK_COUNT}
 * arguments, bulk strings of at most {@code maxBulkLength} bytes, inline lines and length headers of
 * at most {@value #MAX_INLINE_SIZE} bytes. Breaking one, or breaking the framing, throws
 * {@link RespProtocolException}: after it the stream cannot be resynchronised.
 *
 * <p>Inline commands are split as Redis splits them ({@link InlineSplitter}: blanks separate
 * arguments, double and single quotes group them, with escapes). Not thread-safe: one per
 * connection.
 */
final class RespParser {

    /** Most arguments in one multibulk request: Redis's limit (1024 * 1024). */
    static final int MAX_MULTIBULK_COUNT = 1024 * 1024;
    /** Longest inline command or length header: Redis's {@code PROTO_INLINE_MAX_SIZE}. */
    static final int MAX_INLINE_SIZE = 64 * 1024;
    /** Parsed but empty ({@code *0}, a blank line): nothing to execute; continue at {@link #next()}. */
    static final byte[][] EMPTY = new byte[0][];
    /** First capacity of an argument array whose declared count is larger (a count is a claim, not bytes). */
    private static final int INITIAL_ARGUMENTS = 16;

    private final int maxBulkLength;
    private int next;
    private int required;

    /** @param maxBulkLength the longest bulk string accepted, at least 1 */
    RespParser(int maxBulkLength) {
        if (maxBulkLength < 1) {
            throw new IllegalArgumentException("maxBulkLength must be between 1 and " + Integer.MAX_VALUE
                    + ", got " + maxBulkLength);
        }
        this.maxBulkLength = maxBulkLength;
    }

    /** Where the frame after the last one parsed starts. */
    int next() {
        return next;
    }

    /** After {@link #parse} returned null: the least number of bytes the incomplete frame needs. */
    int required() {
        return required;
    }

    /**
     * The next request in {@code buf[start, end)}: its arguments, {@link #EMPTY} for an empty one,
     * or null if the frame is incomplete.
     */
    byte[][] parse(byte[] buf, int start, int end) throws RespProtocolException {
        if (start >= end) {
            required = 1;
            return null;
        }
        return buf[start] == '*' ? parseMultibulk(buf, start, end) : parseInline(buf, start, end);
    }

    private byte[][] parseMultibulk(byte[] buf, int start, int end) throws RespProtocolException {
        int lineEnd = findCrlf(buf, start + 1, end);
        if (lineEnd < 0) {
            return incompleteHeader(start, start, end, "too big mbulk count string");
        }
        long count = parseLength(buf, start + 1, lineEnd);
        if (count > MAX_MULTIBULK_COUNT || count == Long.MIN_VALUE) {
            throw new RespProtocolException("invalid multibulk length");
        }
        int p = lineEnd + 2;
        if (count <= 0) { // Redis skips "*0" and "*-1" requests
            next = p;
            return EMPTY;
        }
        byte[][] args = new byte[(int) Math.min(count, INITIAL_ARGUMENTS)][];
        for (int i = 0; i < count; i++) {
            if (p >= end) {
                return incomplete(start, p + 1);
            }
            if (buf[p] != '$') {
                throw new RespProtocolException("expected '$', got '" + printable(buf[p]) + "'");
            }
            int headerEnd = findCrlf(buf, p + 1, end);
            if (headerEnd < 0) {
                return incompleteHeader(start, p, end, "too big bulk count string");
            }
            long length = parseLength(buf, p + 1, headerEnd);
            if (length < 0 || length > maxBulkLength) {
                throw new RespProtocolException("invalid bulk length");
            }
            int payload = headerEnd + 2;
            long frameEnd = payload + length + 2;
            if (frameEnd > end) {
                return incomplete(start, frameEnd);
            }
            int payloadEnd = payload + (int) length;
            if (buf[payloadEnd] != '\r' || buf[payloadEnd + 1] != '\n') {
                throw new RespProtocolException("expected CRLF after a bulk string of " + length + " bytes");
            }
            if (i == args.length) {
                args = Arrays.copyOf(args, (int) Math.min(count, 2L * args.length));
            }
            args[i] = Arrays.copyOfRange(buf, payload, payloadEnd);
            p = (int) frameEnd;
        }
        next = p;
        return args;
    }

    private byte[][] parseInline(byte[] buf, int start, int end) throws RespProtocolException {
        int newline = -1;
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            return incompleteHeader(start, start, end, "too big inline request");
        }
        next = newline + 1;
        int lineEnd = newline > start && buf[newline - 1] == '\r' ? newline - 1 : newline;
        return InlineSplitter.split(buf, start, lineEnd);
    }

    /** A header line (or inline command) starting at {@code headerStart} has no end yet. */
    private byte[][] incompleteHeader(int frameStart, int headerStart, int end, String tooBig)
            throws RespProtocolException {
        if (end - headerStart > MAX_INLINE_SIZE) {
            throw new RespProtocolException(tooBig);
        }
        return incomplete(frameStart, end + 1);
    }

    private byte[][] incomplete(int frameStart, long neededEnd) {
        required = (int) Math.min(Integer.MAX_VALUE, neededEnd - frameStart);
        return null;
    }

    /** Index of the {@code \r} of the first CRLF in {@code [from, end)}, or -1. */
    private static int findCrlf(byte[] buf, int from, int end) {
        for (int i = from; i < end - 1; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** A decimal length ({@code -1} allowed), or {@link Long#MIN_VALUE} if the digits are not one. */
    private static long parseLength(byte[] buf, int from, int to) {
        if (from == to || to - from > 18) { // 18 characters cannot overflow a long
            return Long.MIN_VALUE;
        }
        boolean negative = buf[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            return Long.MIN_VALUE;
        }
        long value = 0;
        for (; i < to; i++) {
            int digit = buf[i] - '0';
            if (digit < 0 || digit > 9) {
                return Long.MIN_VALUE;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }

}

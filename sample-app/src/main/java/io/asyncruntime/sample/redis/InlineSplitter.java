package io.asyncruntime.sample.redis;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments the way Redis does ({@code sdssplitargs} in its
 * {@code sds.c}, whose rules this follows; the code is our own): blanks separate arguments;
 * {@code "double quotes"} group an argument and understand {@code \n \r \t \b \a}, {@code \xHH}
 * and a backslash before any other character (that character); {@code 'single quotes'} group one
 * and understand only {@code \'}. A quote may open inside an argument ({@code a"b c"} is
 * {@code ab c}), but a closing quote must be followed by a blank or the end of the line, and every
 * quote must be closed: otherwise the line is "unbalanced quotes", a protocol error that closes
 * the connection, as in Redis.
 */
final class InlineSplitter {

    private InlineSplitter() {
    }

    /**
     * The arguments of the line {@code buf[from, to)} (without its line end), {@link RespParser#EMPTY} for a blank line.
     *
     * @throws RespProtocolException if a quote is not closed, or a closing quote is followed by something other than a blank
     */
    static byte[][] split(byte[] buf, int from, int to) throws RespProtocolException {
        List<byte[]> args = null;
        int p = from;
        while (true) {
            while (p < to && isSpace(buf[p])) {
                p++;
            }
            if (p == to) {
                return args == null ? RespParser.EMPTY : args.toArray(new byte[0][]);
            }
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                int c = p < to ? buf[p] & 0xff : -1;
                if (inDouble) {
                    if (c == '\\' && p + 3 < to && buf[p + 1] == 'x' && isHex(buf[p + 2]) && isHex(buf[p + 3])) {
                        current.write(hex(buf[p + 2]) * 16 + hex(buf[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < to) {
                        p++;
                        current.write(unescape(buf[p]));
                    } else if (c == '"') {
                        if (p + 1 < to && !isSpace(buf[p + 1])) {
                            throw unbalanced(); // a closing quote must end the argument
                        }
                        done = true;
                    } else if (c == -1) {
                        throw unbalanced(); // no closing quote
                    } else {
                        current.write(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && p + 1 < to && buf[p + 1] == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (p + 1 < to && !isSpace(buf[p + 1])) {
                            throw unbalanced();
                        }
                        done = true;
                    } else if (c == -1) {
                        throw unbalanced();
                    } else {
                        current.write(c);
                    }
                } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == -1) {
                    done = true;
                } else if (c == '"') {
                    inDouble = true;
                } else if (c == '\'') {
                    inSingle = true;
                } else {
                    current.write(c);
                }
                if (p < to) {
                    p++;
                }
            }
            if (args == null) {
                args = new ArrayList<>(4);
            }
            args.add(current.toByteArray());
        }
    }

    private static RespProtocolException unbalanced() {
        return new RespProtocolException("unbalanced quotes in request");
    }

    /** C's {@code isspace}: what separates arguments. */
    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static int hex(byte b) {
        return b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
    }

    private static int unescape(byte b) {
        return switch (b) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> b & 0xff;
        };
    }

}

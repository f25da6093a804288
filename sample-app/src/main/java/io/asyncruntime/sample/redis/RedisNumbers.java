package io.asyncruntime.sample.redis;

import java.nio.charset.StandardCharsets;

/** Integers as Redis reads and writes them: strict decimal, no sign but '-', no leading zeros or blanks. */
final class RedisNumbers {

    /** The longest decimal long, "-9223372036854775808". */
    private static final int MAX_LONG_LENGTH = 20;

    private RedisNumbers() {
    }

    /**
     * The long spelled by {@code bytes} exactly (Redis's {@code string2ll} rules).
     *
     * @throws NumberFormatException if it is not one, or out of range
     */
    static long parseLong(byte[] bytes) {
        int length = bytes.length;
        if (length == 0 || length > MAX_LONG_LENGTH) {
            throw new NumberFormatException("not a decimal long");
        }
        if (length == 1 && bytes[0] == '0') {
            return 0;
        }
        boolean negative = bytes[0] == '-';
        int i = negative ? 1 : 0;
        if (i == length || bytes[i] < '1' || bytes[i] > '9') { // no "-", no leading zero, no "-0"
            throw new NumberFormatException("not a decimal long");
        }
        long value = 0; // accumulated negative: the range of negative longs is the larger one
        for (; i < length; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new NumberFormatException("not a decimal long");
            }
            if (value < (Long.MIN_VALUE + digit) / 10) {
                throw new NumberFormatException("out of range");
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                throw new NumberFormatException("out of range");
            }
            value = -value;
        }
        return value;
    }

    static byte[] toBytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

}

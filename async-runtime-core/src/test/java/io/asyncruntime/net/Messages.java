package io.asyncruntime.net;

import java.util.SplittableRandom;

/** Deterministic test payloads: random bytes of random sizes, reproducible from a seed. */
final class Messages {

    static final int MAX_SIZE = 1 << 20;

    private Messages() {
    }

    /**
     * A size from 1 byte to 1 MiB, log-uniform (as many messages of 1-2 KiB as of 512 KiB-1 MiB),
     * so a thousand of them average about 75 KiB and a test moves tens of megabytes, not half a
     * gigabyte. Message 0 is exactly 1 MiB and message 1 is one byte, so the bounds are always hit.
     */
    static int size(int index, long seed) {
        if (index == 0) {
            return MAX_SIZE;
        }
        if (index == 1) {
            return 1;
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
        double bits = random.nextDouble() * 20;                  // 2^0 .. 2^20
        return (int) Math.max(1, Math.min(MAX_SIZE, Math.round(Math.pow(2, bits))));
    }

    static byte[] bytes(int index, long seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed ^ (31L * index + 7)).nextBytes(bytes);
        return bytes;
    }
}

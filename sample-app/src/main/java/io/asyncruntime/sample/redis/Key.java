package io.asyncruntime.sample.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key of the {@link Keyspace}: binary-safe bytes with value equality and a hash computed once.
 * The bytes are owned by the key (the parser hands over a fresh copy) and never change.
 */
public final class Key {

    private final byte[] bytes;
    private final int hash;

    private Key(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps {@code bytes} without copying; the caller must not change them afterwards. Not null. */
    static Key wrap(byte[] bytes) {
        return new Key(bytes);
    }

    /**
     * The key spelled by {@code text} in UTF-8, as clients send it.
     *
     * @param text not null
     */
    public static Key of(String text) {
        return new Key(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Key key && key.hash == hash && Arrays.equals(key.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

}

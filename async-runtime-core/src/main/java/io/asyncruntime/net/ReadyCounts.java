package io.asyncruntime.net;

import io.asyncruntime.task.Poll;

/**
 * Shared ready polls of the counts {@code read} and {@code write} return: −1 (end of stream) up to
 * {@link #CACHED} bytes. A stream's {@code read} finishes with {@code Poll.ready(count)} on every
 * call, which allocates a 16-byte {@link Poll} (and, above 127, an {@code Integer}); a
 * request/response exchange of small messages makes one per round trip and side. A {@code Poll}
 * is immutable (a final value, no identity meaning except the pending constant), so one per count
 * can be shared by every stream and thread.
 *
 * <p>Filled lazily, without locks: two threads may each create the entry for a count and one
 * store wins; both are equal, and a reader that sees the array slot sees a fully constructed
 * {@code Poll} and {@code Integer} (their value fields are final: the JMM's final-field
 * guarantee covers a racy publication).
 */
final class ReadyCounts {

    /**
     * The largest count shared. Above it a count is a bulk transfer, whose two small objects are
     * nothing beside the bytes moved. 1,024 entries cost a 4 KiB array plus what was used.
     */
    static final int CACHED = 1024;

    /** Index {@code n + 1} holds the poll of count {@code n}; null until first used. */
    @SuppressWarnings("unchecked")
    private static final Poll<Integer>[] POLLS = (Poll<Integer>[]) new Poll<?>[CACHED + 2];

    private ReadyCounts() {
    }

    /** {@code Poll.ready(n)}, shared for {@code -1 <= n <= CACHED}. */
    static Poll<Integer> of(int n) {
        if (n < -1 || n > CACHED) {
            return Poll.ready(n);
        }
        Poll<Integer> poll = POLLS[n + 1];
        if (poll == null) {
            poll = Poll.ready(n);
            POLLS[n + 1] = poll;
        }
        return poll;
    }
}

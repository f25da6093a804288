package io.asyncruntime.net;

/**
 * Whether a read should try the socket when its only evidence of data is that the previous read
 * filled its buffer exactly. Such a read keeps the readiness (bytes may remain), so the next read
 * makes a system call with no event behind it: a <em>speculative</em> read. For a request/response
 * exchange that reads each reply whole ({@code readExact} of a known size) it always says
 * would-block: one wasted system call per round trip (the TCP echo benchmark: 5 socket calls per
 * round trip against Netty's 4, whose reads into a larger buffer end short). For a bulk reader it
 * usually finds data, and must not be skipped.
 *
 * <p>So it is learned per stream: after {@link #SKIP_AFTER} speculative reads in a row found
 * nothing, the next ones are skipped (the read waits for the selector instead), except every
 * {@link #PROBE_EVERY}th, which tries the socket again so that a change of pattern is noticed;
 * one speculative read that finds data ends the skipping.
 *
 * <p>Skipping never loses a wake-up: it is a {@code clearReady} with the token the exact fill
 * left, which changes nothing if an event came since, and otherwise lets the read wait like any
 * read after a would-block; the selector is level-triggered, so bytes already in the socket are
 * reported at its next turn. A wrong skip costs that wait, not the bytes.
 *
 * <p>Reader-only state: at most one read runs on a stream at a time, and successive readers are
 * ordered by the stream's claim (an acquire) and release (a release), so plain fields suffice.
 */
final class ReadSpeculation {

    /** Speculative reads in a row that found nothing before the next ones are skipped. */
    static final int SKIP_AFTER = 2;
    /** While skipping, one speculative read in this many is still made (a probe). */
    static final int PROBE_EVERY = 16;

    /** The readiness token at which the last read filled its buffer exactly, or -1. */
    private long exactFillToken = -1;
    /** Speculative reads in a row that found nothing, up to {@link #SKIP_AFTER}. */
    private int emptyInARow;
    /** Skips since the last probe. */
    private int skips;

    /** The last read filled its buffer exactly at readiness {@code token}, and kept the readiness. */
    void filledExactly(long token) {
        exactFillToken = token;
    }

    /**
     * A read starts with readiness {@code token}: whether it is speculative (no event since an
     * exact fill). Consumes the exact-fill mark either way.
     */
    boolean isSpeculative(long token) {
        boolean speculative = token == exactFillToken;
        exactFillToken = -1;
        return speculative;
    }

    /** For a speculative read: skip the system call (true) or make it (false, a probe or still learning). */
    boolean skip() {
        if (emptyInARow < SKIP_AFTER) {
            return false;
        }
        if (++skips >= PROBE_EVERY) {
            skips = 0;
            return false;
        }
        return true;
    }

    /** A speculative read returned {@code n} bytes (0: would-block). */
    void speculated(int n) {
        emptyInARow = n == 0 ? Math.min(emptyInARow + 1, SKIP_AFTER) : 0;
    }

    /** Whether speculative reads are being skipped now (tests). */
    boolean skipping() {
        return emptyInARow >= SKIP_AFTER;
    }
}

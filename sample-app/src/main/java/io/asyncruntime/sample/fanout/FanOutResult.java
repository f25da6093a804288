package io.asyncruntime.sample.fanout;

import java.util.List;

/**
 * The answer of {@code GET /fanout}.
 *
 * @param replies the three downstream replies, in the order they were asked for
 * @param digest a SHA-256 over the replies, computed on the blocking pool (hex)
 * @param digestThread the blocking-pool thread that computed it
 * @param elapsedMillis time from the request's entry to the digest
 */
public record FanOutResult(List<DownstreamReply> replies, String digest, String digestThread, long elapsedMillis) {

    /**
     * One simulated downstream call's reply.
     *
     * @param service the service's name
     * @param latencyMillis how long the call took
     */
    public record DownstreamReply(String service, long latencyMillis) {
    }

}

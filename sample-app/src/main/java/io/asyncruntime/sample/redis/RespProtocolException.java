package io.asyncruntime.sample.redis;

/**
 * Input that breaks RESP framing (a bad length, a missing {@code $}, an oversized request): the
 * stream cannot be resynchronised, so the connection answers {@code -ERR Protocol error: ...} and
 * closes, as Redis does. The message is the part after {@code "Protocol error: "}.
 */
final class RespProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    RespProtocolException(String message) {
        super(message, null, false, false); // a client's mistake: no stack trace to fill in
    }

}

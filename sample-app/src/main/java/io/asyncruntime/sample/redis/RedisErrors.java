package io.asyncruntime.sample.redis;

/** Redis's own error replies, word for word, so that clients and people recognise them. */
final class RedisErrors {

    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String OVERFLOW = "ERR increment or decrement would overflow";
    static final String SYNTAX = "ERR syntax error";
    static final String MAX_CLIENTS = "ERR max number of clients reached";

    private RedisErrors() {
    }

    static String wrongArity(String command) {
        return "ERR wrong number of arguments for '" + command + "' command";
    }

    static String invalidExpireTime(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    static String protocol(String detail) {
        return "ERR Protocol error: " + detail;
    }

}

package io.asyncruntime.sample.redis;

import java.util.List;

/**
 * One command of the {@link CommandTable}: its name, its arity in Redis's convention (a positive
 * arity is the exact number of arguments, the name included; a negative one, {@code -n}, means at
 * least {@code n}), what {@code COMMAND} reports about it, and what runs it.
 */
record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int keyStep,
        Handler handler) {

    /** Runs a command whose arity was checked: appends exactly one reply to {@code out}. */
    @FunctionalInterface
    interface Handler {
        void execute(Session session, byte[][] args, RespOutput out);
    }

    boolean arityAccepts(int argumentCount) {
        return arity >= 0 ? argumentCount == arity : argumentCount >= -arity;
    }

}

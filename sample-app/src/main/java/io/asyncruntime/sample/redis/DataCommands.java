package io.asyncruntime.sample.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The string and key commands: {@code GET SET DEL EXISTS INCR DECR INCRBY DECRBY EXPIRE PEXPIRE TTL
 * PTTL MGET MSET}, with Redis's replies and errors.
 */
final class DataCommands {

    /** Longest TTL accepted, in milliseconds: one that still fits a long of nanoseconds. */
    static final long MAX_TTL_MILLIS = Long.MAX_VALUE / 1_000_000 / 2;

    private static final List<String> WRITE = List.of("write");
    private static final List<String> READ = List.of("readonly", "fast");

    private DataCommands() {
    }

    static void register(CommandTable table) {
        table.add(new CommandSpec("get", 2, READ, 1, 1, 1, DataCommands::get));
        table.add(new CommandSpec("set", -3, WRITE, 1, 1, 1, DataCommands::set));
        table.add(new CommandSpec("del", -2, WRITE, 1, -1, 1, DataCommands::del));
        table.add(new CommandSpec("exists", -2, READ, 1, -1, 1, DataCommands::exists));
        table.add(new CommandSpec("incr", 2, WRITE, 1, 1, 1, (s, a, o) -> incrementBy(s, a[1], 1, o)));
        table.add(new CommandSpec("decr", 2, WRITE, 1, 1, 1, (s, a, o) -> incrementBy(s, a[1], -1, o)));
        table.add(new CommandSpec("incrby", 3, WRITE, 1, 1, 1, (s, a, o) -> incrementBy(s, a, false, o)));
        table.add(new CommandSpec("decrby", 3, WRITE, 1, 1, 1, (s, a, o) -> incrementBy(s, a, true, o)));
        table.add(new CommandSpec("expire", 3, WRITE, 1, 1, 1, (s, a, o) -> expire(s, a, TimeUnit.SECONDS, o)));
        table.add(new CommandSpec("pexpire", 3, WRITE, 1, 1, 1, (s, a, o) -> expire(s, a, TimeUnit.MILLISECONDS, o)));
        table.add(new CommandSpec("ttl", 2, READ, 1, 1, 1, (s, a, o) -> ttl(s, a, TimeUnit.SECONDS, o)));
        table.add(new CommandSpec("pttl", 2, READ, 1, 1, 1, (s, a, o) -> ttl(s, a, TimeUnit.MILLISECONDS, o)));
        table.add(new CommandSpec("mget", -2, READ, 1, -1, 1, DataCommands::mget));
        table.add(new CommandSpec("mset", -3, WRITE, 1, -1, 2, DataCommands::mset));
    }

    private static void get(Session session, byte[][] args, RespOutput out) {
        out.bulk(session.keyspace.get(Key.wrap(args[1])));
    }

    /** {@code SET key value [NX | XX] [EX seconds | PX milliseconds]}. */
    private static void set(Session session, byte[][] args, RespOutput out) {
        boolean ifAbsent = false;
        boolean ifPresent = false;
        long ttlMillis = -1;
        for (int i = 3; i < args.length; i++) {
            String option = ascii(args[i]).toUpperCase(Locale.ROOT);
            boolean hasValue = i + 1 < args.length;
            switch (option) {
                case "NX" -> ifAbsent = true;
                case "XX" -> ifPresent = true;
                case "EX", "PX" -> {
                    if (!hasValue || ttlMillis != -1) {
                        out.error(RedisErrors.SYNTAX);
                        return;
                    }
                    long amount;
                    try {
                        amount = RedisNumbers.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        out.error(RedisErrors.NOT_AN_INTEGER);
                        return;
                    }
                    long millis = option.equals("EX") ? multiplyOrMax(amount, 1000) : amount;
                    if (amount <= 0 || millis > MAX_TTL_MILLIS) {
                        out.error(RedisErrors.invalidExpireTime("set"));
                        return;
                    }
                    ttlMillis = millis;
                }
                default -> {
                    out.error(RedisErrors.SYNTAX);
                    return;
                }
            }
        }
        if (ifAbsent && ifPresent) {
            out.error(RedisErrors.SYNTAX);
            return;
        }
        long ttlNanos = ttlMillis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        if (session.keyspace.set(Key.wrap(args[1]), args[2], ttlNanos, ifAbsent, ifPresent)) {
            out.raw(RespOutput.OK);
        } else {
            out.nullBulk();
        }
    }

    private static void del(Session session, byte[][] args, RespOutput out) {
        long removed = 0;
        for (int i = 1; i < args.length; i++) {
            if (session.keyspace.delete(Key.wrap(args[i]))) {
                removed++;
            }
        }
        out.integer(removed);
    }

    private static void exists(Session session, byte[][] args, RespOutput out) {
        long found = 0;
        for (int i = 1; i < args.length; i++) {
            if (session.keyspace.exists(Key.wrap(args[i]))) {
                found++;
            }
        }
        out.integer(found);
    }

    private static void incrementBy(Session session, byte[][] args, boolean negate, RespOutput out) {
        long delta;
        try {
            delta = RedisNumbers.parseLong(args[2]);
        } catch (NumberFormatException e) {
            out.error(RedisErrors.NOT_AN_INTEGER);
            return;
        }
        if (negate && delta == Long.MIN_VALUE) {
            out.error("ERR decrement would overflow");
            return;
        }
        incrementBy(session, args[1], negate ? -delta : delta, out);
    }

    private static void incrementBy(Session session, byte[] key, long delta, RespOutput out) {
        try {
            out.integer(session.keyspace.incrementBy(Key.wrap(key), delta));
        } catch (NumberFormatException e) {
            out.error(RedisErrors.NOT_AN_INTEGER);
        } catch (ArithmeticException e) {
            out.error(RedisErrors.OVERFLOW);
        }
    }

    private static void expire(Session session, byte[][] args, TimeUnit unit, RespOutput out) {
        long amount;
        try {
            amount = RedisNumbers.parseLong(args[2]);
        } catch (NumberFormatException e) {
            out.error(RedisErrors.NOT_AN_INTEGER);
            return;
        }
        long millis = unit == TimeUnit.SECONDS ? multiplyOrMax(amount, 1000) : amount;
        if (millis > MAX_TTL_MILLIS) {
            out.error(RedisErrors.invalidExpireTime(unit == TimeUnit.SECONDS ? "expire" : "pexpire"));
            return;
        }
        boolean existed = session.keyspace.expire(Key.wrap(args[1]), millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis));
        out.integer(existed ? 1 : 0);
    }

    private static void ttl(Session session, byte[][] args, TimeUnit unit, RespOutput out) {
        long nanos = session.keyspace.timeToLiveNanos(Key.wrap(args[1]));
        if (nanos < 0) {
            out.integer(nanos); // NO_KEY or NO_DEADLINE
            return;
        }
        long millis = (nanos + 999_999) / 1_000_000; // a key with time left never reports 0 ms
        out.integer(unit == TimeUnit.SECONDS ? (millis + 500) / 1000 : millis); // TTL rounds, as Redis's
    }

    private static void mget(Session session, byte[][] args, RespOutput out) {
        out.arrayHeader(args.length - 1);
        for (int i = 1; i < args.length; i++) {
            out.bulk(session.keyspace.get(Key.wrap(args[i])));
        }
    }

    private static void mset(Session session, byte[][] args, RespOutput out) {
        if (args.length % 2 != 1) {
            out.error(RedisErrors.wrongArity("mset"));
            return;
        }
        int pairs = args.length / 2;
        Key[] keys = new Key[pairs];
        byte[][] values = new byte[pairs][];
        for (int i = 0; i < pairs; i++) {
            keys[i] = Key.wrap(args[1 + 2 * i]);
            values[i] = args[2 + 2 * i];
        }
        session.keyspace.setAll(keys, values);
        out.raw(RespOutput.OK);
    }

    private static long multiplyOrMax(long amount, long factor) {
        try {
            return Math.multiplyExact(amount, factor);
        } catch (ArithmeticException e) {
            return amount < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

}

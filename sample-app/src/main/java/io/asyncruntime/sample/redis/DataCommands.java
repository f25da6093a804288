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

    /**
     * {@code SET key value [NX | XX] [EX seconds | PX milliseconds]}, parsed as Redis 7 does: every
     * option is read before any value is checked (a syntax error wins), a repeated {@code EX} or
     * {@code PX} takes the last one, {@code EX} with {@code PX} (or {@code NX} with {@code XX}) is
     * a syntax error.
     */
    private static void set(Session session, byte[][] args, RespOutput out) {
        boolean ifAbsent = false;
        boolean ifPresent = false;
        byte[] ttl = null;
        TimeUnit unit = null;
        for (int i = 3; i < args.length; i++) {
            String option = ascii(args[i]).toUpperCase(Locale.ROOT);
            boolean hasValue = i + 1 < args.length;
            if (option.equals("NX") && !ifPresent) {
                ifAbsent = true;
            } else if (option.equals("XX") && !ifAbsent) {
                ifPresent = true;
            } else if (option.equals("EX") && unit != TimeUnit.MILLISECONDS && hasValue) {
                unit = TimeUnit.SECONDS;
                ttl = args[++i];
            } else if (option.equals("PX") && unit != TimeUnit.SECONDS && hasValue) {
                unit = TimeUnit.MILLISECONDS;
                ttl = args[++i];
            } else {
                out.error(RedisErrors.SYNTAX);
                return;
            }
        }
        long ttlMillis = -1;
        if (ttl != null) {
            long amount;
            try {
                amount = RedisNumbers.parseLong(ttl);
            } catch (NumberFormatException e) {
                out.error(RedisErrors.NOT_AN_INTEGER);
                return;
            }
            if (amount <= 0 || (unit == TimeUnit.SECONDS && amount > Long.MAX_VALUE / 1000)) {
                out.error(RedisErrors.invalidExpireTime("set"));
                return;
            }
            ttlMillis = unit == TimeUnit.SECONDS ? amount * 1000 : amount;
        }
        boolean stored;
        try {
            stored = session.keyspace.set(Key.wrap(args[1]), args[2], ttlMillis, ifAbsent, ifPresent);
        } catch (ArithmeticException deadlineOverflows) {
            out.error(RedisErrors.invalidExpireTime("set"));
            return;
        }
        if (stored) {
            out.raw(RespOutput.OK);
        } else {
            out.nullBulk();
        }
    }

    private static void del(Session session, byte[][] args, RespOutput out) {
        if (args.length == 2) {
            out.integer(session.keyspace.delete(Key.wrap(args[1])) ? 1 : 0);
        } else {
            out.integer(session.keyspace.deleteAll(keys(args)));
        }
    }

    private static void exists(Session session, byte[][] args, RespOutput out) {
        if (args.length == 2) {
            out.integer(session.keyspace.exists(Key.wrap(args[1])) ? 1 : 0);
        } else {
            out.integer(session.keyspace.countExisting(keys(args)));
        }
    }

    /** The keys {@code args[1..]}. */
    private static Key[] keys(byte[][] args) {
        Key[] keys = new Key[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            keys[i - 1] = Key.wrap(args[i]);
        }
        return keys;
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

    /**
     * {@code EXPIRE}/{@code PEXPIRE} with Redis 7's bounds: seconds outside
     * {@code ±Long.MAX_VALUE / 1000}, or a deadline past {@code Long.MAX_VALUE} ms, are an error
     * that leaves the key alone; a non-positive TTL deletes the key.
     */
    private static void expire(Session session, byte[][] args, TimeUnit unit, RespOutput out) {
        long amount;
        try {
            amount = RedisNumbers.parseLong(args[2]);
        } catch (NumberFormatException e) {
            out.error(RedisErrors.NOT_AN_INTEGER);
            return;
        }
        String command = unit == TimeUnit.SECONDS ? "expire" : "pexpire";
        if (unit == TimeUnit.SECONDS && (amount > Long.MAX_VALUE / 1000 || amount < Long.MIN_VALUE / 1000)) {
            out.error(RedisErrors.invalidExpireTime(command));
            return;
        }
        long millis = unit == TimeUnit.SECONDS ? amount * 1000 : amount;
        try {
            out.integer(session.keyspace.expire(Key.wrap(args[1]), millis) ? 1 : 0);
        } catch (ArithmeticException deadlineOverflows) {
            out.error(RedisErrors.invalidExpireTime(command));
        }
    }

    private static void ttl(Session session, byte[][] args, TimeUnit unit, RespOutput out) {
        long millis = session.keyspace.timeToLiveMillis(Key.wrap(args[1]));
        if (millis < 0) {
            out.integer(millis); // NO_KEY or NO_DEADLINE
            return;
        }
        out.integer(unit == TimeUnit.SECONDS ? millis / 1000 + (millis % 1000 >= 500 ? 1 : 0) : millis); // TTL rounds, as Redis's
    }

    private static void mget(Session session, byte[][] args, RespOutput out) {
        byte[][] values = session.keyspace.getAll(keys(args));
        out.arrayHeader(values.length);
        for (byte[] value : values) {
            out.bulk(value);
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

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

}

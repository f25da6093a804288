package io.asyncruntime.sample.redis;

import java.util.List;
import java.util.Locale;

/**
 * The connection and server commands: {@code PING ECHO QUIT SELECT DBSIZE FLUSHALL INFO CLIENT HELLO
 * COMMAND CONFIG} — enough of each for {@code redis-cli}, {@code redis-benchmark}, Lettuce and
 * Jedis, which probe some of them when they connect.
 */
final class ServerCommands {

    /** The Redis version this server answers as: clients switch features on it. */
    static final String REDIS_VERSION = "7.0.0";

    private static final String INVALID_CLIENT_NAME =
            "ERR Client names cannot contain spaces, newlines or special characters.";
    private static final List<String> FAST = List.of("fast");
    private static final List<String> ADMIN = List.of("admin");

    private ServerCommands() {
    }

    static void register(CommandTable table) {
        table.add(new CommandSpec("ping", -1, FAST, 0, 0, 0, ServerCommands::ping));
        table.add(new CommandSpec("echo", 2, FAST, 0, 0, 0, (s, a, o) -> o.bulk(a[1])));
        table.add(new CommandSpec("quit", -1, FAST, 0, 0, 0, (s, a, o) -> {
            o.raw(RespOutput.OK);
            s.quit();
        }));
        table.add(new CommandSpec("select", 2, FAST, 0, 0, 0, ServerCommands::select));
        table.add(new CommandSpec("dbsize", 1, FAST, 0, 0, 0, (s, a, o) -> o.integer(s.keyspace.size())));
        table.add(new CommandSpec("flushall", -1, List.of("write"), 0, 0, 0, ServerCommands::flushAll));
        table.add(new CommandSpec("info", -1, List.of("loading"), 0, 0, 0,
                (s, a, o) -> o.bulk(s.server.info(a.length > 1 ? DataCommands.ascii(a[1]) : "default"))));
        table.add(new CommandSpec("client", -2, ADMIN, 0, 0, 0, ServerCommands::client));
        table.add(new CommandSpec("hello", -1, FAST, 0, 0, 0, ServerCommands::hello));
        table.add(new CommandSpec("command", -1, List.of("loading"), 0, 0, 0, (s, a, o) -> command(table, a, o)));
        table.add(new CommandSpec("config", -2, ADMIN, 0, 0, 0, ServerCommands::config));
    }

    private static void ping(Session session, byte[][] args, RespOutput out) {
        if (args.length > 2) {
            out.error(RedisErrors.wrongArity("ping"));
        } else if (args.length == 2) {
            out.bulk(args[1]);
        } else {
            out.raw(RespOutput.PONG);
        }
    }

    private static void select(Session session, byte[][] args, RespOutput out) {
        try {
            if (RedisNumbers.parseLong(args[1]) == 0) {
                out.raw(RespOutput.OK);
            } else {
                out.error("ERR DB index is out of range");
            }
        } catch (NumberFormatException e) {
            out.error(RedisErrors.NOT_AN_INTEGER);
        }
    }

    private static void flushAll(Session session, byte[][] args, RespOutput out) {
        if (args.length > 2 || (args.length == 2 && !List.of("SYNC", "ASYNC").contains(upper(args[1])))) {
            out.error(RedisErrors.SYNTAX);
            return;
        }
        session.keyspace.clear();
        out.raw(RespOutput.OK);
    }

    /** {@code CLIENT SETNAME | GETNAME | ID | SETINFO | INFO}. */
    private static void client(Session session, byte[][] args, RespOutput out) {
        String sub = upper(args[1]);
        switch (sub) {
            case "SETNAME" -> {
                if (args.length != 3) {
                    out.error(RedisErrors.wrongArity("client|setname"));
                    return;
                }
                String name = DataCommands.ascii(args[2]);
                if (!validClientName(name)) {
                    out.error(INVALID_CLIENT_NAME);
                    return;
                }
                session.clientName(name);
                out.raw(RespOutput.OK);
            }
            case "GETNAME" -> {
                String name = session.clientName();
                if (name.isEmpty()) {
                    out.nullBulk();
                } else {
                    out.bulk(name);
                }
            }
            case "ID" -> out.integer(session.id);
            case "SETINFO" -> out.raw(RespOutput.OK); // library name and version: accepted, not kept
            case "INFO" -> out.bulk("id=" + session.id + " name=" + session.clientName() + " db=0 resp=2\n");
            default -> out.error("ERR unknown subcommand '" + DataCommands.ascii(args[1]) + "'. Try CLIENT HELP.");
        }
    }

    private static boolean validClientName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code HELLO [protover [AUTH user pass] [SETNAME name]]}: RESP2 only. A client asking for
     * RESP3 (Lettuce does first) gets {@code -NOPROTO} and falls back to RESP2, as with Redis 5.
     */
    private static void hello(Session session, byte[][] args, RespOutput out) {
        if (args.length >= 2) {
            long version;
            try {
                version = RedisNumbers.parseLong(args[1]);
            } catch (NumberFormatException e) {
                out.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (version != 2) {
                out.error("NOPROTO unsupported protocol version");
                return;
            }
            String name = null;
            for (int i = 2; i < args.length; i++) {
                String option = upper(args[i]);
                if (option.equals("AUTH") && i + 2 < args.length) {
                    i += 2; // no users here: like Redis's default user without a password, any is accepted
                } else if (option.equals("SETNAME") && i + 1 < args.length) {
                    name = DataCommands.ascii(args[++i]);
                } else {
                    out.error("ERR Syntax error in HELLO option '" + DataCommands.ascii(args[i]) + "'");
                    return;
                }
            }
            if (name != null) { // checked as CLIENT SETNAME checks it, once every option was read (as Redis 7)
                if (!validClientName(name)) {
                    out.error(INVALID_CLIENT_NAME);
                    return;
                }
                session.clientName(name);
            }
        }
        out.arrayHeader(14);
        out.bulk("server");
        out.bulk("redis");
        out.bulk("version");
        out.bulk(REDIS_VERSION);
        out.bulk("proto");
        out.integer(2);
        out.bulk("id");
        out.integer(session.id);
        out.bulk("mode");
        out.bulk("standalone");
        out.bulk("role");
        out.bulk("master");
        out.bulk("modules");
        out.arrayHeader(0);
    }

    /** {@code COMMAND}, {@code COMMAND COUNT}, {@code COMMAND INFO name...}, {@code COMMAND DOCS} (empty). */
    private static void command(CommandTable table, byte[][] args, RespOutput out) {
        if (args.length == 1) {
            out.arrayHeader(table.all().size());
            table.all().forEach(spec -> describe(spec, out));
            return;
        }
        switch (upper(args[1])) {
            case "COUNT" -> out.integer(table.all().size());
            case "DOCS" -> out.arrayHeader(0);
            case "INFO" -> {
                out.arrayHeader(args.length - 2);
                for (int i = 2; i < args.length; i++) {
                    CommandSpec spec = table.find(DataCommands.ascii(args[i]));
                    if (spec == null) {
                        out.nullArray();
                    } else {
                        describe(spec, out);
                    }
                }
            }
            default -> out.error("ERR unknown subcommand '" + DataCommands.ascii(args[1]) + "'. Try COMMAND HELP.");
        }
    }

    /** Redis 6's seven-element command description: name, arity, flags, first/last key, step, ACL categories. */
    private static void describe(CommandSpec spec, RespOutput out) {
        out.arrayHeader(7);
        out.bulk(spec.name());
        out.integer(spec.arity());
        out.arrayHeader(spec.flags().size());
        spec.flags().forEach(out::simpleString);
        out.integer(spec.firstKey());
        out.integer(spec.lastKey());
        out.integer(spec.keyStep());
        out.arrayHeader(0);
    }

    /** {@code CONFIG GET}: the two settings {@code redis-benchmark} reads; nothing else is configurable here. */
    private static void config(Session session, byte[][] args, RespOutput out) {
        if (!upper(args[1]).equals("GET") || args.length != 3) {
            out.error("ERR CONFIG " + DataCommands.ascii(args[1]) + " is not supported by this server");
            return;
        }
        switch (DataCommands.ascii(args[2]).toLowerCase(Locale.ROOT)) {
            case "save" -> pair(out, "save", "");
            case "appendonly" -> pair(out, "appendonly", "no");
            default -> out.arrayHeader(0);
        }
    }

    private static void pair(RespOutput out, String name, String value) {
        out.arrayHeader(2);
        out.bulk(name);
        out.bulk(value);
    }

    private static String upper(byte[] bytes) {
        return DataCommands.ascii(bytes).toUpperCase(Locale.ROOT);
    }

}

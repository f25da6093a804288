package io.asyncruntime.sample.redis;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The commands the server knows, by lower-case name, and the dispatch of one request: look the
 * name up (case-insensitively), check the arity, run it. An unknown command or a wrong arity is
 * answered with Redis's error and the connection goes on: such errors leave the framing intact.
 */
final class CommandTable {

    private final Map<String, CommandSpec> commands = new LinkedHashMap<>();

    /** The full table: data commands and server commands. */
    static CommandTable standard() {
        CommandTable table = new CommandTable();
        DataCommands.register(table);
        ServerCommands.register(table);
        return table;
    }

    void add(CommandSpec spec) {
        if (commands.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("command " + spec.name() + " is registered twice");
        }
    }

    /** The command called {@code name} (any case), or null. */
    CommandSpec find(String name) {
        return commands.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(commands.values());
    }

    /** Runs one parsed request (at least one argument), appending exactly one reply to {@code out}. */
    void dispatch(Session session, byte[][] args, RespOutput out) {
        CommandSpec spec = commands.get(lowerCaseName(args[0]));
        if (spec == null) {
            out.error(unknownCommand(args));
            return;
        }
        if (!spec.arityAccepts(args.length)) {
            out.error(RedisErrors.wrongArity(spec.name()));
            return;
        }
        spec.handler().execute(session, args, out);
    }

    /** The name in lower case (ASCII; other bytes are kept, so they match nothing). */
    private static String lowerCaseName(byte[] name) {
        byte[] lower = null;
        for (int i = 0; i < name.length; i++) {
            byte b = name[i];
            if (b >= 'A' && b <= 'Z') {
                if (lower == null) {
                    lower = name.clone();
                }
                lower[i] = (byte) (b + ('a' - 'A'));
            }
        }
        return DataCommands.ascii(lower == null ? name : lower);
    }

    /** Redis 7's wording: {@code ERR unknown command 'x', with args beginning with: 'a' 'b' }. */
    private static String unknownCommand(byte[][] args) {
        StringBuilder message = new StringBuilder("ERR unknown command '").append(clip(args[0]))
            .append("', with args beginning with: ");
        for (int i = 1; i < args.length && message.length() < 128; i++) {
            message.append('\'').append(clip(args[i])).append("' ");
        }
        return message.toString();
    }

    private static String clip(byte[] bytes) {
        String text = DataCommands.ascii(bytes);
        return text.length() > 32 ? text.substring(0, 32) : text;
    }

}

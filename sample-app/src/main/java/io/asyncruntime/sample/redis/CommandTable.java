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

    /** Longest command name the table holds; longer names are unknown without a look. */
    private static final int MAX_NAME_LENGTH = 16;

    private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
    /**
     * The commands by name length, for {@link #dispatch}: a request's name is matched against the
     * few names of its length byte by byte, ignoring ASCII case, so a command costs no String.
     */
    private final CommandSpec[][] byLength = new CommandSpec[MAX_NAME_LENGTH + 1][0];

    /** The full table: data commands and server commands. */
    static CommandTable standard() {
        CommandTable table = new CommandTable();
        DataCommands.register(table);
        ServerCommands.register(table);
        return table;
    }

    void add(CommandSpec spec) {
        if (spec.name().length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("command names are at most " + MAX_NAME_LENGTH + " characters, got "
                    + spec.name());
        }
        if (commands.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("command " + spec.name() + " is registered twice");
        }
        CommandSpec[] sameLength = byLength[spec.name().length()];
        sameLength = java.util.Arrays.copyOf(sameLength, sameLength.length + 1);
        sameLength[sameLength.length - 1] = spec;
        byLength[spec.name().length()] = sameLength;
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
        CommandSpec spec = lookup(args[0]);
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

    private CommandSpec lookup(byte[] name) {
        if (name.length > MAX_NAME_LENGTH) {
            return null;
        }
        for (CommandSpec spec : byLength[name.length]) {
            if (equalsIgnoreAsciiCase(spec.name(), name)) {
                return spec;
            }
        }
        return null;
    }

    /** Whether {@code name} spells {@code lowerCase} in any ASCII case. */
    private static boolean equalsIgnoreAsciiCase(String lowerCase, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            int b = name[i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
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

package io.asyncruntime.sample.redis;

/**
 * What a command may see and change of its connection and server: the keyspace, the client's
 * name, whether the client asked to quit. Confined to the connection's task.
 */
final class Session {

    final long id;
    final Keyspace keyspace;
    final RespServer server;
    private String clientName = "";
    private boolean quit;

    Session(long id, Keyspace keyspace, RespServer server) {
        this.id = id;
        this.keyspace = keyspace;
        this.server = server;
    }

    String clientName() {
        return clientName;
    }

    void clientName(String name) {
        this.clientName = name;
    }

    /** After {@code QUIT}: the connection flushes the replies so far and closes. */
    void quit() {
        this.quit = true;
    }

    boolean quitRequested() {
        return quit;
    }

}

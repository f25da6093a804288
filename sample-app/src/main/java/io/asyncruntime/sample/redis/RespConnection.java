package io.asyncruntime.sample.redis;

import java.nio.ByteBuffer;

import io.asyncruntime.net.TcpStream;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: a task that reads, runs every complete request it read, and answers
 * the whole batch with one write, then reads again.
 *
 * <p><b>Turn.</b> Each turn of the loop first runs the requests already buffered, in order,
 * appending their replies to one {@link RespOutput}; it stops at the first incomplete frame, or
 * once the replies reach the output limit (then the next turn continues with the rest of the
 * buffered requests after the flush). If there are replies, it writes them all and goes round;
 * otherwise it reads. Reading and writing therefore alternate: the connection never reads more
 * requests while replies are waiting to be written, so what it buffers is bounded by the request
 * limit plus the output limit (plus one reply), whatever the client does. A client that stops
 * reading blocks the write; the server's sweeper closes a connection whose write has waited longer
 * than the write timeout, and one that has sent nothing for the idle timeout.
 *
 * <p><b>Errors.</b> Unknown commands, wrong arities and bad values are answered with an error and
 * the connection goes on. A framing error ({@link RespProtocolException}) or a request over the
 * size limit is answered with {@code -ERR Protocol error: ...}, flushed, and the connection closes.
 *
 * <p><b>Drain.</b> The connection marks itself {@link #isReading() reading} before it waits for
 * bytes and then checks the server's drain flag; the server sets the flag and then closes every
 * connection it sees reading (both sides use volatile accesses, so one of them sees the other). A
 * connection busy with a batch finishes it, flushes the replies and closes at its next turn.
 *
 * <p>Fields other than the volatile ones are confined to the connection's task.
 */
final class RespConnection {

    private static final Logger logger = LoggerFactory.getLogger(RespConnection.class);
    /** First size of the input buffer: a pipeline of small commands fits; it grows for larger frames. */
    static final int INITIAL_INPUT = 16 * 1024;

    private final TcpStream stream;
    private final RespServer server;
    private final RespServer.Settings settings;
    private final Session session;
    private final RespParser parser;
    private final RespOutput out;
    /** Unread input is {@code in[start, end)}. */
    private byte[] in = new byte[INITIAL_INPUT];
    private ByteBuffer window = ByteBuffer.wrap(in);
    private int start;
    private int end;
    /** Set when the connection must close once the replies buffered so far are written. */
    private boolean closeAfterFlush;
    private long commandsSinceReport;

    /** {@link System#nanoTime()} of the last bytes read; read by the sweeper. */
    private volatile long lastActivityNanos = System.nanoTime();
    /** {@link System#nanoTime()} when the write in progress started, or 0 if none is; read by the sweeper. */
    private volatile long writeStartedNanos;
    private volatile boolean reading;

    RespConnection(TcpStream stream, RespServer server, Session session) {
        this.stream = stream;
        this.server = server;
        this.settings = server.settings();
        this.session = session;
        this.parser = new RespParser(settings.maxBulkLength());
        this.out = new RespOutput(Math.min(INITIAL_INPUT, settings.outputBufferLimit()));
    }

    /** The connection's whole life; it ends with the connection closed, and never fails. */
    Task<Void> serve() {
        return Task.loop(this, RespConnection::turn).recover(failure -> {
            logger.debug("connection to {} ended: {}", stream.peerAddress(), failure.toString());
            return null;
        }).map(v -> {
            close();
            return null;
        });
    }

    private Task<Step<RespConnection, Void>> turn() {
        if (!closeAfterFlush) {
            runBufferedRequests();
        }
        if (out.size() > 0) {
            return flush();
        }
        if (closeAfterFlush) {
            return Task.completed(Step.done(null));
        }
        return read();
    }

    /** Runs complete requests from the input until none is left, the output is full, or the client must go. */
    private void runBufferedRequests() {
        long commands = 0;
        try {
            while (out.size() < settings.outputBufferLimit()) {
                byte[][] args = parser.parse(in, start, end);
                if (args == null) {
                    makeRoomFor(parser.required());
                    break;
                }
                start = parser.next();
                if (args.length == 0) {
                    continue;
                }
                commands++;
                server.commands().dispatch(session, args, out);
                if (session.quitRequested()) {
                    closeAfterFlush = true;
                    break;
                }
            }
        } catch (RespProtocolException e) {
            protocolError(e.getMessage());
        }
        commandsSinceReport += commands;
    }

    private void protocolError(String detail) {
        out.error(RedisErrors.protocol(detail));
        closeAfterFlush = true;
        start = end;
    }

    /** The incomplete frame at {@code start} needs {@code required} bytes: grow or compact the buffer. */
    private void makeRoomFor(int required) {
        if (required > settings.maxRequestSize()) {
            protocolError("request of " + required + " bytes or more exceeds the limit of "
                    + settings.maxRequestSize() + " bytes");
            return;
        }
        int buffered = end - start;
        if (required > in.length) {
            byte[] bigger = new byte[(int) Math.min(settings.maxRequestSize(), Math.max(required, 2L * in.length))];
            System.arraycopy(in, start, bigger, 0, buffered);
            in = bigger;
            window = ByteBuffer.wrap(in);
        } else if (buffered == 0 && in.length > 4 * INITIAL_INPUT) {
            in = new byte[INITIAL_INPUT]; // a large request has passed: give its buffer back
            window = ByteBuffer.wrap(in);
        } else if (start + required > in.length || start == end) {
            System.arraycopy(in, start, in, 0, buffered);
        } else {
            return;
        }
        start = 0;
        end = buffered;
    }

    private Task<Step<RespConnection, Void>> flush() {
        server.countCommands(commandsSinceReport);
        commandsSinceReport = 0;
        writeStartedNanos = System.nanoTime();
        return stream.writeAll(out.toBuffer()).map(v -> {
            writeStartedNanos = 0;
            out.clear(settings.outputBufferLimit());
            return Step.next(this);
        });
    }

    private Task<Step<RespConnection, Void>> read() {
        reading = true;
        if (server.isDraining()) {
            reading = false;
            return Task.completed(Step.done(null));
        }
        window.limit(in.length).position(end);
        return stream.read(window).map(n -> {
            reading = false;
            if (n < 0) {
                return Step.done(null);
            }
            end += n;
            lastActivityNanos = System.nanoTime();
            return Step.next(this);
        });
    }

    /** Whether the connection waits for a request (nothing of its own in flight): safe to close in a drain. */
    boolean isReading() {
        return reading;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    long writeStartedNanos() {
        return writeStartedNanos;
    }

    long id() {
        return session.id;
    }

    /** Closes the socket: a read or write in progress fails and the connection's task ends. Idempotent. */
    void close() {
        try {
            stream.close();
        } catch (RuntimeException e) {
            logger.debug("closing the connection to {} failed: {}", stream.peerAddress(), e.toString());
        }
        server.connectionClosed(this);
    }

    @Override
    public String toString() {
        return "RespConnection[id=" + session.id + ", " + stream + ", buffered=" + (end - start) + "]";
    }

}

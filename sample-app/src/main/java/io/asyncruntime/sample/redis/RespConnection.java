package io.asyncruntime.sample.redis;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.asyncruntime.net.TcpStream;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: a task that reads requests, runs them in order, and writes their replies,
 * a pipelined batch's replies with one write.
 *
 * <p><b>Turn.</b> Each turn of the loop first runs the complete requests already buffered, in
 * order, appending their replies to one {@link RespOutput}. It stops at the first incomplete
 * frame, or once the replies waiting reach the output buffer limit while the socket still takes
 * them (so a reading client gets its replies in batches of that size). Then, with nothing to
 * write, it reads; with replies waiting, it writes <em>and reads at once</em> (a {@code select}
 * of the two, the write first): a client that sends a whole pipeline before it reads a reply
 * (Jedis's {@code Pipeline.sync}, Lettuce without auto-flush) fills the socket buffers both ways,
 * and a server that stopped reading until its write went through would wait for it forever.
 * While the socket takes no more, the connection goes on reading and running requests and queues
 * their replies, as Redis does, up to the output queue limit (Redis's
 * {@code client-output-buffer-limit}): past it the client is disconnected. The write timeout
 * counts from the last write that made progress, not from when the replies started waiting, so a
 * client that reads slowly but steadily is served; one that stops reading is closed by the
 * server's sweeper.
 *
 * <p><b>Input</b> is a byte array that grows with the bytes that arrive, at most doubling (and by
 * at most {@value #MAX_GROWTH_STEP} bytes) a step: a frame's declared length is a claim, not
 * bytes, so it is checked against the request limit but never allocated ahead. Each read takes at
 * most {@value #MAX_READ} bytes (the JDK copies a heap buffer's read through a temporary direct
 * buffer of the window's size). A request larger than the request limit, complete or not, is a
 * protocol error.
 *
 * <p><b>Errors.</b> Unknown commands, wrong arities and bad values are answered with an error and
 * the connection goes on. A framing error ({@link RespProtocolException}) or a request over the
 * size limit is answered with {@code -ERR Protocol error: ...}, flushed, and the connection closes.
 *
 * <p><b>Drain.</b> The connection marks itself {@link #isReading() reading} before it waits for
 * a request with nothing left to write, and then checks the server's drain flag; the server sets
 * the flag and then closes every connection it sees reading (both sides use volatile accesses, so
 * one of them sees the other). A connection with replies to write stops reading once it sees the
 * flag, writes them, and closes.
 *
 * <p>Fields other than the volatile ones are confined to the connection's task.
 */
final class RespConnection {

    private static final Logger logger = LoggerFactory.getLogger(RespConnection.class);
    /** First size of the input buffer: a pipeline of small commands fits; it grows for larger frames. */
    static final int INITIAL_INPUT = 16 * 1024;
    /** Most bytes one read asks for: the JDK reads into a heap buffer through a temporary direct one this large. */
    static final int MAX_READ = 64 * 1024;
    /** Most the input buffer grows by in one step (it also at most doubles), so it follows the bytes that arrive. */
    static final int MAX_GROWTH_STEP = 1024 * 1024;
    /** What a turn's {@code select} of a write and a read ended with. */
    private static final int WROTE = 0;
    private static final int READ = 1;
    private static final int END_OF_STREAM = 2;

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
    /** The last write left replies waiting (the socket took no more): run requests up to the output queue limit. */
    private boolean writeBlocked;
    private long commandsSinceReport;

    /** {@link System#nanoTime()} of the last bytes read; read by the sweeper. */
    private volatile long lastActivityNanos = System.nanoTime();
    /**
     * While replies wait to be written: {@link System#nanoTime()} of the last write that made
     * progress (or of when they started waiting); 0 when none wait. Read by the sweeper.
     */
    private volatile long writeProgressNanos;
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
            runBufferedRequests(writeBlocked ? settings.outputQueueLimit() : settings.outputBufferLimit());
            if (out.pending() >= settings.outputQueueLimit()) {
                logger.info("closing {}: {} bytes of replies wait for the client to read them, over the limit of {}",
                        this, out.pending(), settings.outputQueueLimit());
                server.outputLimitExceeded();
                return Task.completed(Step.done(null));
            }
        }
        if (out.pending() == 0) {
            writeProgressNanos = 0;
            writeBlocked = false;
            return closeAfterFlush ? Task.completed(Step.done(null)) : read();
        }
        if (writeProgressNanos == 0) {
            writeProgressNanos = System.nanoTime();
        }
        if (closeAfterFlush || server.isDraining()) {
            closeAfterFlush = true; // draining: write what was answered, read no more, close
            return writeOnly();
        }
        return writeWhileReading();
    }

    /**
     * Runs complete requests from the input until none is left, the replies waiting reach
     * {@code outputLimit}, or the client must go.
     */
    private void runBufferedRequests(int outputLimit) {
        long commands = 0;
        try {
            while (out.pending() < outputLimit) {
                byte[][] args = parser.parse(in, start, end);
                if (args == null) {
                    makeRoomFor(parser.required());
                    break;
                }
                int size = parser.next() - start;
                if (size > settings.maxRequestSize()) {
                    protocolError("request of " + size + " bytes exceeds the limit of " + settings.maxRequestSize()
                            + " bytes");
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

    /**
     * The incomplete frame at {@code start} needs at least {@code required} bytes: refuse it if
     * that is over the request limit, else make room to read more. The buffer is compacted when
     * the frame does not fit behind {@code start}, and grows only when it is full of bytes that
     * arrived, by at most its size and {@value #MAX_GROWTH_STEP} bytes.
     */
    private void makeRoomFor(int required) {
        if (required > settings.maxRequestSize()) {
            protocolError("request of " + required + " bytes or more exceeds the limit of "
                    + settings.maxRequestSize() + " bytes");
            return;
        }
        int buffered = end - start;
        if (buffered == 0 && in.length > 4 * INITIAL_INPUT) {
            in = new byte[INITIAL_INPUT]; // a large request has passed: give its buffer back
            window = ByteBuffer.wrap(in);
        } else if (start > 0 && (buffered == 0 || end == in.length || start + required > in.length)) {
            System.arraycopy(in, start, in, 0, buffered);
        } else if (end < in.length) {
            return;
        }
        start = 0;
        end = buffered;
        if (end == in.length) { // full of received bytes, and the frame is still incomplete
            int step = Math.min(in.length, MAX_GROWTH_STEP);
            in = Arrays.copyOf(in, (int) Math.min(settings.maxRequestSize(), (long) in.length + step));
            window = ByteBuffer.wrap(in);
        }
    }

    /** Closing: writes what waits (no more reads), then the next turn ends the connection. */
    private Task<Step<RespConnection, Void>> writeOnly() {
        reportCommands();
        ByteBuffer pending = out.toBuffer();
        int from = pending.position();
        return stream.write(pending).map(n -> {
            wrote(pending.position() - from);
            return Step.next(this);
        });
    }

    /**
     * Writes the waiting replies and, if the socket takes none now, reads more requests meanwhile:
     * whichever is ready first ends the turn, the other is cancelled (a cancelled read consumed
     * nothing, a cancelled write wrote nothing). What happened is read off the buffers' positions,
     * so nothing is lost even if both did something.
     */
    private Task<Step<RespConnection, Void>> writeWhileReading() {
        reportCommands();
        ByteBuffer pending = out.toBuffer();
        int from = pending.position();
        window.limit(Math.min(in.length, end + MAX_READ)).position(end);
        Task<Integer> either = Task.select(stream.write(pending), n -> WROTE,
                stream.read(window), n -> n < 0 ? END_OF_STREAM : READ);
        return either.map(what -> {
            wrote(pending.position() - from);
            if (window.position() > end) {
                end = window.position();
                lastActivityNanos = System.nanoTime();
            }
            return what == END_OF_STREAM ? Step.done(null) : Step.next(this);
        });
    }

    private void wrote(int n) {
        if (n > 0) {
            out.written(n, settings.outputBufferLimit());
            writeProgressNanos = out.pending() == 0 ? 0 : System.nanoTime();
        }
        writeBlocked = out.pending() > 0;
    }

    private void reportCommands() {
        server.countCommands(commandsSinceReport);
        commandsSinceReport = 0;
    }

    private Task<Step<RespConnection, Void>> read() {
        reading = true;
        if (server.isDraining()) {
            reading = false;
            return Task.completed(Step.done(null));
        }
        window.limit(Math.min(in.length, end + MAX_READ)).position(end);
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

    /** While replies wait to be written, when the last write made progress; 0 when none wait. */
    long writeProgressNanos() {
        return writeProgressNanos;
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

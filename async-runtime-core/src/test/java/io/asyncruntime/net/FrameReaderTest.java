package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.io.EOFException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frame reader over a real connection whose peer is a blocking JDK socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameReaderTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
    private TcpListener listener;
    private Socket peer;
    private OutputStream out;
    private TcpStream stream;

    @BeforeEach
    void connect() throws Exception {
        listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK));
        peer = new Socket();
        peer.connect(listener.localAddress());
        out = peer.getOutputStream();
        stream = runtime.blockOn(listener.accept());
    }

    @AfterEach
    void close() throws Exception {
        peer.close();
        listener.close();
        runtime.close();
    }

    private void send(String s) throws Exception {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String text(ByteBuffer frame) {
        return StandardCharsets.UTF_8.decode(frame).toString();
    }

    @Test
    void readsLinesEndedByLfOrCrLfAndTheLastLineWithoutAnEnd() throws Exception {
        FrameReader reader = new FrameReader(stream);
        send("first\r\nsecond\nthird ünïcödé\r\nlast without end");
        peer.shutdownOutput();
        List<String> lines = runtime.blockOn(Task.loop(new ArrayList<String>(), acc -> reader.readLine().map(line -> {
            if (line == null) {
                return Step.done(acc);
            }
            acc.add(line);
            return Step.next(acc);
        })));
        assertThat(lines).containsExactly("first", "second", "third ünïcödé", "last without end");
    }

    @Test
    void readsARespCommandSplitAcrossManySmallWrites() throws Exception {
        FrameReader reader = new FrameReader(stream, 1024);
        JoinHandle<List<String>> command = runtime.spawn(reader.readLine().flatMap(header -> {
            int count = Integer.parseInt(header.substring(1));          // "*2"
            return Task.loop(new ArrayList<String>(), args -> args.size() == count
                    ? Task.completed(Step.done(args))
                    : reader.readLine().flatMap(len -> reader.readExact(Integer.parseInt(len.substring(1)) + 2))
                            .map(bulk -> {
                                String value = text(bulk);
                                args.add(value.substring(0, value.length() - 2));
                                return Step.next(args);
                            }));
        }));
        for (char c : "*2\r\n$3\r\nGET\r\n$11\r\nhello world\r\n".toCharArray()) {
            out.write(c);                                                 // one byte per write
            out.flush();
        }
        assertThat(command.get(10, TimeUnit.SECONDS)).containsExactly("GET", "hello world");
    }

    @Test
    void readUntilReturnsTheFrameWithItsDelimiterAndNullAtACleanEnd() throws Exception {
        FrameReader reader = new FrameReader(stream);
        send("a;bc;");
        peer.shutdownOutput();
        assertThat(text(runtime.blockOn(reader.readUntil((byte) ';')))).isEqualTo("a;");
        assertThat(text(runtime.blockOn(reader.readUntil((byte) ';')))).isEqualTo("bc;");
        assertThat(runtime.blockOn(reader.readUntil((byte) ';'))).isNull();
    }

    @Test
    void aStreamEndingInsideAFrameFailsWithEofException() throws Exception {
        FrameReader reader = new FrameReader(stream);
        send("no delimiter here");
        peer.shutdownOutput();
        assertThatThrownBy(() -> runtime.blockOn(reader.readUntil((byte) ';')))
                .cause().isInstanceOf(EOFException.class)
                .hasMessageContaining("ended inside a frame: 17 bytes without a delimiter 0x3b");
        FrameReader exact = new FrameReader(stream);
        assertThatThrownBy(() -> runtime.blockOn(exact.readExact(10))).cause().isInstanceOf(EOFException.class);
    }

    @Test
    void aFrameLongerThanTheLimitFailsClearlyInsteadOfGrowingTheBuffer() throws Exception {
        FrameReader reader = new FrameReader(stream, 17);
        send("exactly 16 bytes\nseventeen bytes!!\n");
        assertThat(runtime.blockOn(reader.readLine())).isEqualTo("exactly 16 bytes");    // 17 with its '\n': fits
        assertThatThrownBy(() -> runtime.blockOn(reader.readLine()))
                .cause().isInstanceOf(FrameTooLongException.class)
                .hasMessageContaining("no line end within the first 17 bytes from " + stream.peerAddress())
                .hasMessageContaining("maxFrameSize 17");
        assertThat(reader.buffered()).isEqualTo(17);    // held up to the limit, not beyond; the rest waits in the socket
    }

    @Test
    void aLargeFrameGrowsTheBufferUpToTheLimit() throws Exception {
        FrameReader reader = new FrameReader(stream, 1 << 20);
        String big = "x".repeat(300_000);
        JoinHandle<String> line = runtime.spawn(reader.readLine());
        send(big + "\nnext\n");
        assertThat(line.get(10, TimeUnit.SECONDS)).isEqualTo(big);
        assertThat(runtime.blockOn(reader.readLine())).isEqualTo("next");
        assertThat(reader.buffered()).isZero();
    }

    @Test
    void aCancelledReadLineKeepsTheBytesItBufferedForTheNextOne() throws Exception {
        FrameReader reader = new FrameReader(stream);
        JoinHandle<String> pending = runtime.spawn(reader.readLine());
        send("half a li");
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.buffered() == 9
                && IoTestAccess.waiters(stream.registration(), IoRegistration.READ) == 1);
        pending.abort();
        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
        send("ne\n");
        assertThat(runtime.blockOn(reader.readLine())).isEqualTo("half a line");
    }

    @Test
    void badArgumentsFailFast() {
        assertThatThrownBy(() -> new FrameReader(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stream must not be null");
        assertThatThrownBy(() -> new FrameReader(stream, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFrameSize must be between 1 and 1073741824, got 0");
        FrameReader reader = new FrameReader(stream, 100);
        assertThatThrownBy(() -> reader.readExact(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("length must be between 0 and maxFrameSize (100), got 101");
        assertThatThrownBy(() -> reader.readExact(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}

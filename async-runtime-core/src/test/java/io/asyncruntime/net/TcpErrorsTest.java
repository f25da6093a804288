package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Half-close, a peer's reset, refused connects, addresses in use, closed listeners and streams,
 * misuse and bad arguments: each fails with an exception of the JDK's kind whose message names
 * the operation and the address, and none of them disturbs another connection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpErrorsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private TcpListener bind() {
        return runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads until the end of the stream; the value is everything read. */
    private static Task<String> readToEnd(TcpStream stream) {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        return Task.loop(buffer, b -> stream.read(b).map(n -> n < 0
                ? io.asyncruntime.task.Step.done(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII))
                : io.asyncruntime.task.Step.next(b)));
    }

    @Test
    void aHalfClosedPeerStillGetsTheReplyToWhatItSent() throws Exception {
        try (TcpListener listener = bind()) {
            // Server: read the request to its end, then answer and close.
            JoinHandle<String> server = runtime.spawn(listener.accept().flatMap(stream -> readToEnd(stream)
                    .flatMap(request -> stream.writeAll(ByteBuffer.wrap(ascii("got " + request)))
                            .map(v -> {
                                stream.close();
                                return request;
                            }))));
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                client.getOutputStream().write(ascii("question"));
                client.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("got question");
            }
            assertThat(server.get(10, TimeUnit.SECONDS)).isEqualTo("question");
        }
    }

    @Test
    void theRuntimesShutdownOutputHalfClosesAndKeepsReading() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    byte[] request = s.getInputStream().readAllBytes();    // until our shutdownOutput
                    s.getOutputStream().write(ascii("got " + new String(request, StandardCharsets.US_ASCII)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            peer.start();
            String reply = runtime.blockOn(TcpStream.connect(server.getLocalSocketAddress()).flatMap(stream ->
                    stream.writeAll(ByteBuffer.wrap(ascii("question")))
                            .flatMap(v -> stream.shutdownOutput())
                            .flatMap(v -> readToEnd(stream))
                            .map(r -> {
                                stream.close();
                                return r;
                            })));
            assertThat(reply).isEqualTo("got question");
            peer.join();
        }
    }

    @Test
    void aPeerResetFailsThePendingReadWithASocketExceptionNamingThePeer() throws Exception {
        try (TcpListener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            ByteBuffer buffer = ByteBuffer.allocate(64);
            JoinHandle<Integer> read = runtime.spawn(stream.read(buffer));
            await().atMost(PATIENCE).until(() -> IoTestAccess.waiters(stream.registration(), IoRegistration.READ) == 1);
            client.setSoLinger(true, 0);                             // close with RST, not FIN
            client.close();
            assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SocketException.class)
                    .hasMessageContaining("read from " + stream.peerAddress())
                    .hasMessageContaining("reset");
            stream.close();
        }
    }

    @Test
    void aConnectToAPortWithNoListenerIsRefusedNamingTheAddress() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = (InetSocketAddress) s.getLocalSocketAddress();
        }
        long before = runtime.metrics().io().openRegistrations();
        assertThatThrownBy(() -> runtime.blockOn(TcpStream.connect(nobody)))
                .isInstanceOf(java.util.concurrent.CompletionException.class)
                .cause().isInstanceOf(ConnectException.class)
                .hasMessageContaining("connect to " + nobody)
                .hasMessageContaining("refused");
        assertThat(runtime.metrics().io().openRegistrations()).isEqualTo(before);   // the socket was closed
    }

    @Test
    void bindingAnAddressInUseFailsWithABindExceptionNamingIt() {
        try (TcpListener first = bind()) {
            assertThatThrownBy(() -> runtime.blockOn(TcpListener.bind(first.localAddress())))
                    .isInstanceOf(java.util.concurrent.CompletionException.class)
                    .cause().isInstanceOf(BindException.class)
                    .hasMessageContaining("bind " + first.localAddress());
        }
    }

    @Test
    void closingAListenerFailsEveryPendingAcceptAndLeavesAcceptedStreamsOpen() throws Exception {
        TcpListener listener = bind();
        TcpStream accepted;
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress());
            accepted = runtime.blockOn(listener.accept());
            List<JoinHandle<TcpStream>> accepts = List.of(runtime.spawn(listener.accept()),
                    runtime.spawn(listener.accept()), runtime.spawn(listener.accept()));
            await().atMost(PATIENCE).until(() -> IoTestAccess.waiters(listener.registration(), IoRegistration.READ) == 3);
            listener.close();
            for (JoinHandle<TcpStream> accept : accepts) {
                assertThatThrownBy(() -> accept.get(10, TimeUnit.SECONDS))
                        .cause().isInstanceOf(ClosedChannelException.class)
                        .hasMessageContaining("accept on " + listener.localAddress())
                        .hasMessageContaining("the TcpListener was closed");
            }
            // The connection accepted before still works.
            client.getOutputStream().write(ascii("still here"));
            ByteBuffer buffer = ByteBuffer.allocate(10);
            runtime.blockOn(accepted.readExact(buffer));
            assertThat(new String(buffer.array(), StandardCharsets.US_ASCII)).isEqualTo("still here");
        }
        accepted.close();
        assertThat(listener.isClosed()).isTrue();
        assertThatThrownBy(() -> runtime.blockOn(listener.accept()))
                .cause().isInstanceOf(ClosedChannelException.class).hasMessageContaining("the TcpListener was closed");
    }

    @Test
    void aClosedStreamFailsPendingAndLaterOperationsAndThePeerSeesTheEnd() throws Exception {
        try (TcpListener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            JoinHandle<Integer> pending = runtime.spawn(stream.read(ByteBuffer.allocate(8)));
            await().atMost(PATIENCE).until(() -> IoTestAccess.waiters(stream.registration(), IoRegistration.READ) == 1);
            stream.close();
            stream.close();                                               // idempotent
            assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClosedChannelException.class)
                    .hasMessageContaining("read from " + stream.peerAddress())
                    .hasMessageContaining("the TcpStream was closed");
            assertThatThrownBy(() -> runtime.blockOn(stream.write(ByteBuffer.wrap(ascii("late")))))
                    .cause().isInstanceOf(ClosedChannelException.class)
                    .hasMessageContaining("write to " + stream.peerAddress());
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(stream.isClosed()).isTrue();
            await().atMost(PATIENCE).until(() -> runtime.metrics().io().openRegistrations() == 1);   // the listener
        }
    }

    @Test
    void twoTasksReadingOneStreamAtOnceIsAUsageError() throws Exception {
        try (TcpListener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            JoinHandle<Integer> first = runtime.spawn(stream.read(ByteBuffer.allocate(8)));
            await().atMost(PATIENCE).until(() -> IoTestAccess.waiters(stream.registration(), IoRegistration.READ) == 1);
            assertThatThrownBy(() -> runtime.blockOn(stream.read(ByteBuffer.allocate(8))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another task is already reading from the TcpStream to " + stream.peerAddress());
            // A writer may work meanwhile, and the first reader still gets its bytes.
            runtime.blockOn(stream.writeAll(ByteBuffer.wrap(ascii("pong"))));
            assertThat(client.getInputStream().readNBytes(4)).isEqualTo(ascii("pong"));
            client.getOutputStream().write(ascii("ping"));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(4);
            // Once the first read finished, reading is free again.
            client.getOutputStream().write(ascii("!"));
            assertThat(runtime.blockOn(stream.read(ByteBuffer.allocate(8)))).isEqualTo(1);
            stream.close();
        }
    }

    @Test
    void socketOptionsAreSetAndRead() throws Exception {
        try (TcpListener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            stream.setNoDelay(true);
            stream.setKeepAlive(true);
            stream.setReceiveBufferSize(64 * 1024);
            stream.setSendBufferSize(64 * 1024);
            assertThat(stream.noDelay()).isTrue();
            assertThat(stream.keepAlive()).isTrue();
            assertThat(stream.receiveBufferSize()).isPositive();
            assertThat(stream.sendBufferSize()).isPositive();
            assertThat(stream.peerAddress()).isEqualTo(client.getLocalSocketAddress());
            assertThat(stream.localAddress()).isEqualTo(listener.localAddress());
            stream.close();
            assertThatThrownBy(() -> stream.setNoDelay(false))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("TCP_NODELAY")
                    .hasMessageContaining(String.valueOf(stream.peerAddress()));
        }
    }

    @Test
    void badArgumentsFailFastNamingTheArgument() throws Exception {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 80);
        assertThatThrownBy(() -> TcpStream.connect(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must not be null");
        assertThatThrownBy(() -> TcpStream.connect(unresolved)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("address must be a resolved address");
        assertThatThrownBy(() -> TcpListener.bind(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must not be null");
        assertThatThrownBy(() -> TcpListener.bind(Echo.ANY_LOOPBACK, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backlog must be between 0 (the system default) and 2147483647, got -1");
        try (TcpListener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            assertThatThrownBy(() -> stream.read(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dst must not be null");
            assertThatThrownBy(() -> stream.read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> stream.writeAll(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("src must not be null");
            assertThatThrownBy(() -> stream.setReceiveBufferSize(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("receiveBufferSize must be between 1 and 2147483647, got 0");
            assertThat(runtime.blockOn(stream.read(ByteBuffer.allocate(0)))).isZero();
            assertThat(runtime.blockOn(stream.write(ByteBuffer.allocate(0)))).isZero();
            stream.close();
        }
    }

    @Test
    void networkTasksFailClearlyOnARuntimeWithoutIo() {
        try (AsyncRuntime noIo = AsyncRuntime.builder().workerThreads(1).enableIo(false).build()) {
            assertThat(noIo.metrics().io().enabled()).isFalse();
            assertThatThrownBy(() -> noIo.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("enableIo(false)");
            // Timers still work on the plain park driver.
            noIo.blockOn(io.asyncruntime.time.Time.sleep(Duration.ofMillis(5)));
        }
    }

    @Test
    void aFailedConnectDoesNotDisturbAnotherConnection() throws Exception {
        try (TcpListener listener = bind(); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            JoinHandle<Void> echo = runtime.spawn(Echo.echo(stream, 64));
            InetSocketAddress nobody;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                nobody = (InetSocketAddress) s.getLocalSocketAddress();
            }
            assertThatThrownBy(() -> runtime.blockOn(TcpStream.connect(nobody))).cause().isInstanceOf(ConnectException.class);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            out.write(ascii("fine"));
            assertThat(in.readNBytes(4)).isEqualTo(ascii("fine"));
            client.shutdownOutput();
            echo.get(10, TimeUnit.SECONDS);
        }
    }
}

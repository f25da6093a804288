package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.time.TaskTimeoutException;
import io.asyncruntime.time.Time;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancellation is dropping (ARCHITECTURE.md): a cancelled read consumed no bytes, a cancelled
 * accept took no connection, a cancelled connect closed its socket, and none leaves a waker
 * behind on the channel.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpCancellationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int readers(TcpStream stream) {
        return IoTestAccess.waiters(stream.registration(), IoRegistration.READ);
    }

    @Test
    void anAbortedReadConsumedNoBytesAndLeftNoWaker() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            JoinHandle<Integer> read = runtime.spawn(stream.read(ByteBuffer.allocate(64)));
            await().atMost(PATIENCE).until(() -> readers(stream) == 1);
            read.abort();
            assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
            assertThat(readers(stream)).isZero();
            client.getOutputStream().write(ascii("every byte"));
            ByteBuffer buffer = ByteBuffer.allocate(10);
            runtime.blockOn(stream.readExact(buffer));
            assertThat(new String(buffer.array(), StandardCharsets.US_ASCII)).isEqualTo("every byte");
            stream.close();
        }
    }

    @Test
    void aTimeoutAroundAReadCancelsItAndTheBytesArriveAtTheNextRead() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            assertThatThrownBy(() -> runtime.blockOn(Time.timeout(Duration.ofMillis(30), stream.read(ByteBuffer.allocate(64)))))
                    .isInstanceOf(java.util.concurrent.CompletionException.class)
                    .cause().isInstanceOf(TaskTimeoutException.class);
            assertThat(readers(stream)).isZero();
            client.getOutputStream().write(ascii("late but whole"));
            ByteBuffer buffer = ByteBuffer.allocate(14);
            // The next read, under a generous timeout, gets every byte.
            runtime.blockOn(Time.timeout(Duration.ofSeconds(10), stream.readExact(buffer)));
            assertThat(new String(buffer.array(), StandardCharsets.US_ASCII)).isEqualTo("late but whole");
            stream.close();
        }
    }

    @Test
    void theLosingReadOfASelectKeepsItsBytesForTheNextRead() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK));
             Socket a = new Socket(); Socket b = new Socket()) {
            a.connect(listener.localAddress());
            TcpStream streamA = runtime.blockOn(listener.accept());
            b.connect(listener.localAddress());
            TcpStream streamB = runtime.blockOn(listener.accept());
            ByteBuffer bufferA = ByteBuffer.allocate(8);
            ByteBuffer bufferB = ByteBuffer.allocate(8);
            JoinHandle<String> select = runtime.spawn(Task.select(
                    streamA.read(bufferA), n -> "a", streamB.read(bufferB), n -> "b"));
            await().atMost(PATIENCE).until(() -> readers(streamA) == 1 && readers(streamB) == 1);
            b.getOutputStream().write(ascii("from b"));
            assertThat(select.get(10, TimeUnit.SECONDS)).isEqualTo("b");
            assertThat(readers(streamA)).isZero();                    // the loser withdrew
            a.getOutputStream().write(ascii("from a"));
            ByteBuffer whole = ByteBuffer.allocate(6);
            runtime.blockOn(streamA.readExact(whole));
            assertThat(new String(whole.array(), StandardCharsets.US_ASCII)).isEqualTo("from a");
            assertThat(bufferA.position()).isZero();                   // the loser wrote nothing into its buffer
            streamA.close();
            streamB.close();
        }
    }

    @Test
    void tenThousandReadsCancelledWhileWaitingLeaveNoWakerAndLoseNoByte() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)); Socket client = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            ByteBuffer buffer = ByteBuffer.allocate(16);
            // Each turn: a read that waits, raced against a yield that wins on its second poll.
            int cancelled = runtime.blockOn(Task.loop(0, n -> n == 10_000
                    ? Task.completed(io.asyncruntime.task.Step.done(n))
                    : Task.race(stream.read(buffer).map(r -> -1), Task.yieldNow().map(v -> n + 1))
                            .map(next -> {
                                if (next < 0) {
                                    throw new AssertionError("a read completed with no data sent");
                                }
                                return io.asyncruntime.task.Step.next(next);
                            })));
            assertThat(cancelled).isEqualTo(10_000);
            assertThat(readers(stream)).isZero();
            assertThat(buffer.position()).isZero();
            client.getOutputStream().write(ascii("intact"));
            ByteBuffer whole = ByteBuffer.allocate(6);
            runtime.blockOn(stream.readExact(whole));
            assertThat(new String(whole.array(), StandardCharsets.US_ASCII)).isEqualTo("intact");
            stream.close();
        }
    }

    @Test
    void anAbortedAcceptLosesNoConnection() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)); Socket client = new Socket()) {
            JoinHandle<TcpStream> accept = runtime.spawn(listener.accept());
            await().atMost(PATIENCE).until(() -> IoTestAccess.waiters(listener.registration(), IoRegistration.READ) == 1);
            accept.abort();
            assertThatThrownBy(() -> accept.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
            assertThat(IoTestAccess.waiters(listener.registration(), IoRegistration.READ)).isZero();
            client.connect(listener.localAddress());
            TcpStream accepted = runtime.blockOn(listener.accept());
            assertThat(accepted.peerAddress()).isEqualTo(client.getLocalSocketAddress());
            client.getOutputStream().write(ascii("!"));
            assertThat(runtime.blockOn(accepted.read(ByteBuffer.allocate(4)))).isEqualTo(1);
            accepted.close();
        }
    }

    @Test
    void anAbortedConnectClosesItsSocket() throws Exception {
        // A listener that never accepts, with its accept queue full: further connects stay pending.
        try (ServerSocketChannel full = ServerSocketChannel.open()) {
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            List<Socket> fillers = fillAcceptQueue(full);
            try {
                long before = runtime.metrics().io().openRegistrations();
                JoinHandle<TcpStream> connect = runtime.spawn(TcpStream.connect(full.getLocalAddress()));
                await().atMost(PATIENCE).until(() -> runtime.metrics().io().openRegistrations() == before + 1);
                assertThat(connect.isFinished()).isFalse();
                connect.abort();
                assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
                assertThat(runtime.metrics().io().openRegistrations()).isEqualTo(before);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    /** Connects until a connect no longer completes: the listener's accept queue is then full. */
    private static List<Socket> fillAcceptQueue(ServerSocketChannel listener) throws Exception {
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(listener.getLocalAddress(), 200);
                fillers.add(s);
            } catch (SocketTimeoutException queueFull) {
                s.close();
                return fillers;
            }
        }
        throw new IllegalStateException("the accept queue never filled up; cannot make a connect pend");
    }
}

package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A thousand concurrent connections with messages of random sizes up to 1 MiB, every byte checked
 * in order, both ways round so that neither side only tests itself: the runtime's echo server
 * against blocking JDK clients, and the runtime's clients against a blocking JDK echo server.
 * All connections are open at once before any data moves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpEchoStressTest {

    private static final int CONNECTIONS = 1_000;
    /** Blocking clients: each thread drives this many connections, so 100 threads hold all 1,000. */
    private static final int CONNECTIONS_PER_THREAD = 10;
    private static final int CLIENT_THREADS = CONNECTIONS / CONNECTIONS_PER_THREAD;
    /** Blocking clients send a chunk per connection, then read the echoes: no buffer deadlock. */
    private static final int CHUNK = 64 * 1024;
    private static final long SEED = 20261125L;
    /** Blocking threads need little stack; a thousand of them then cost little memory. */
    private static final long THREAD_STACK = 256 * 1024;

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void theRuntimesEchoServerServesAThousandBlockingClients() throws Exception {
        TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK, CONNECTIONS));
        JoinHandle<Void> server = runtime.spawn(Echo.serve(listener, 16 * 1024));
        CountDownLatch allConnected = new CountDownLatch(CLIENT_THREADS);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger verified = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            int first = t * CONNECTIONS_PER_THREAD;
            Thread client = new Thread(null, () -> {
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < CONNECTIONS_PER_THREAD; i++) {
                        Socket socket = new Socket();
                        sockets.add(socket);
                        socket.connect(listener.localAddress());
                    }
                    allConnected.countDown();
                    allConnected.await();
                    echoInChunks(sockets, first);
                    verified.addAndGet(sockets.size());
                } catch (Throwable e) {
                    failures.add(e);
                    allConnected.countDown();
                } finally {
                    sockets.forEach(TcpEchoStressTest::closeQuietly);
                }
            }, "blocking-clients-" + first, THREAD_STACK);
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(failures).isEmpty();
        assertThat(verified).hasValue(CONNECTIONS);
        // The server closes each stream when its client hangs up: only the listener stays registered.
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().io().openRegistrations() == 1);
        listener.close();
        server.abort();
    }

    /**
     * One thread's connections, all carrying data at once: each round writes the next chunk of
     * every message, then reads every echo back. A chunk fits in the socket buffers, so the
     * echoes can wait there while the thread writes to its other sockets.
     */
    private static void echoInChunks(List<Socket> sockets, int first) throws IOException {
        int n = sockets.size();
        byte[][] messages = new byte[n][];
        for (int i = 0; i < n; i++) {
            messages[i] = Messages.bytes(first + i, SEED, Messages.size(first + i, SEED));
        }
        for (int offset = 0; ; offset += CHUNK) {
            boolean any = false;
            for (int i = 0; i < n; i++) {
                if (offset < messages[i].length) {
                    sockets.get(i).getOutputStream().write(messages[i], offset, Math.min(CHUNK, messages[i].length - offset));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
            for (int i = 0; i < n; i++) {
                byte[] message = messages[i];
                if (offset < message.length) {
                    int length = Math.min(CHUNK, message.length - offset);
                    byte[] echoed = sockets.get(i).getInputStream().readNBytes(length);
                    if (!Arrays.equals(echoed, 0, echoed.length, message, offset, offset + length)) {
                        throw new AssertionError("connection " + (first + i) + ": bytes " + offset + ".." + (offset + length)
                                + " of " + message.length + " came back different (" + echoed.length + " bytes read)");
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            Socket socket = sockets.get(i);
            socket.shutdownOutput();
            if (socket.getInputStream().read() != -1) {
                throw new AssertionError("connection " + (first + i) + ": the echo sent more than it was sent");
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test has its verdict already
        }
    }

    @Test
    void aThousandRuntimeClientsTalkToABlockingEchoServer() throws Exception {
        try (ServerSocket serverSocket = new ServerSocket()) {
            serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), CONNECTIONS);
            Thread acceptor = new Thread(() -> acceptAndEcho(serverSocket), "blocking-echo-acceptor");
            acceptor.start();
            CompletableFuture<Void> allConnected = new CompletableFuture<>();
            AtomicInteger connected = new AtomicInteger();
            List<JoinHandle<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                int index = i;
                clients.add(runtime.spawn(TcpStream.connect(serverSocket.getLocalSocketAddress()).flatMap(stream -> {
                    if (connected.incrementAndGet() == CONNECTIONS) {
                        allConnected.complete(null);
                    }
                    return Task.fromCompletionStage(allConnected).flatMap(v -> sendAndCheckEcho(stream, index));
                })));
            }
            long bytes = 0;
            for (JoinHandle<Integer> client : clients) {
                bytes += client.get(60, TimeUnit.SECONDS);
            }
            assertThat(bytes).isGreaterThan(CONNECTIONS * 1_000L);
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().io().openRegistrations() == 0);
        }
    }

    /**
     * Writes the whole message in one writeAll from one task while a second task reads the echo
     * back (one task may read while another writes), then half-closes and expects the echo to end.
     */
    private static Task<Integer> sendAndCheckEcho(TcpStream stream, int index) {
        int size = Messages.size(index, SEED);
        byte[] message = Messages.bytes(index, SEED, size);
        JoinHandle<Void> writer = io.asyncruntime.AsyncRuntime.current().spawn(
                stream.writeAll(ByteBuffer.wrap(message)).flatMap(v -> stream.shutdownOutput()));
        ByteBuffer echoed = ByteBuffer.allocate(size + 1);
        Task<Integer> reader = Task.loop(echoed, buffer -> stream.read(buffer).map(n -> {
            if (n < 0) {
                return Step.done(buffer.position());
            }
            if (!buffer.hasRemaining()) {
                throw new AssertionError("connection " + index + ": the echo sent more than " + size + " bytes");
            }
            return Step.next(buffer);
        }));
        return Task.join(writer, reader, (v, length) -> {
            stream.close();
            if (length != size || !Arrays.equals(echoed.array(), 0, size, message, 0, size)) {
                throw new AssertionError("connection " + index + ": " + length + " of " + size
                        + " bytes came back, or they differ");
            }
            return size;
        });
    }

    private static void acceptAndEcho(ServerSocket serverSocket) {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException closed) {
                return;
            }
            Thread echo = new Thread(null, () -> {
                try (socket) {
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    byte[] buffer = new byte[CHUNK];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "blocking-echo", THREAD_STACK);
            echo.start();
        }
    }
}

package io.asyncruntime.benchmarks.net;

import io.asyncruntime.benchmarks.Implementation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Blocking sockets on virtual threads (JDK 21+), the idiom they exist for: a virtual thread per
 * accepted connection that reads and writes back, and a virtual thread per client connection and
 * batch; {@link Implementation#WORKER_THREADS} carriers ({@code -Djdk.virtualThreadScheduler.parallelism}).
 * The JDK parks a virtual thread blocked on a socket and polls the socket for it.
 */
final class VirtualThreadEcho implements EchoWorkload {

    private static final MethodHandle START = findStart();

    private final ServerSocket server;
    private final List<Socket> clients = new ArrayList<>();
    private final List<Socket> accepted = new ArrayList<>();
    private final byte[] message;

    VirtualThreadEcho(int connections, int messageSize) throws IOException {
        this.message = new byte[messageSize];
        this.server = new ServerSocket(0, connections, InetAddress.getLoopbackAddress());
        start(this::acceptLoop);
        for (int i = 0; i < connections; i++) {
            Socket client = new Socket();
            client.setTcpNoDelay(true);
            client.connect(server.getLocalSocketAddress());
            clients.add(client);
        }
    }

    private static MethodHandle findStart() {
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            return null;                                       // JDK 17: Implementation reports it unavailable
        }
    }

    private static void start(Runnable body) {
        try {
            Thread ignored = (Thread) START.invokeExact(body);
        } catch (Throwable e) {
            throw new IllegalStateException("could not start a virtual thread", e);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
                socket.setTcpNoDelay(true);
            } catch (IOException closed) {
                return;
            }
            synchronized (accepted) {
                accepted.add(socket);
            }
            start(() -> echo(socket));
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException closedAtTheEnd) {
            // the benchmark closed the connection
        }
    }

    @Override
    public void run(int roundTrips, long[][] latencies) throws Exception {
        CountDownLatch done = new CountDownLatch(clients.size());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 0; c < clients.size(); c++) {
            Socket client = clients.get(c);
            long[] mine = latencies[c];
            start(() -> {
                try {
                    roundTrips(client, roundTrips, mine);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("virtual-thread echo batch did not finish within 5 minutes");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a client failed", failure.get());
        }
    }

    private void roundTrips(Socket client, int count, long[] latencies) throws IOException {
        OutputStream out = client.getOutputStream();
        InputStream in = client.getInputStream();
        byte[] echo = new byte[message.length];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            out.write(message);
            if (in.readNBytes(echo, 0, echo.length) != echo.length) {
                throw new UncheckedIOException(new IOException("the echo ended early"));
            }
            latencies[i] = System.nanoTime() - start;
        }
    }

    @Override
    public void close() {
        try {
            for (Socket client : clients) {
                client.close();
            }
            server.close();
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.net.TcpListener;
import io.asyncruntime.net.TcpStream;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Blocking on a worker with the Selector driver under the timers: sockets (accept, read, write
 * on 127.0.0.1) and timers keep working while a worker is handed over by {@code blockInPlace},
 * or is stuck in a poll that the stall detector catches.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingWithIoTest {

    private AsyncRuntime runtime;
    private TcpListener listener;
    private JoinHandle<Void> server;

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.abort();
        }
        if (listener != null) {
            listener.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void onAOneWorkerRuntimeTheReplacementServesSocketsAndTimersWhileBlockInPlaceBlocks() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("bip-io").build();
        startEchoServer();
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<Boolean> blocker = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            blocking.countDown();
            return release.await(20, TimeUnit.SECONDS); // the only worker's old thread, blocked
        }));
        assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();

        // Accept, read and write, and a timer, all need the driver: the replacement turns it.
        assertThat(echoRoundTrip("while blocked in place")).isEqualTo("while blocked in place");
        runtime.spawn(Time.sleep(Duration.ofMillis(10))).get(10, TimeUnit.SECONDS);
        assertThat(blocker.isDone()).isFalse();

        release.countDown();
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(echoRoundTrip("and after")).isEqualTo("and after");
    }

    @Test
    void socketsKeepWorkingWhileATaskWokenByTheDriverBlocksItsWorker() throws Exception {
        // The blocking task is woken by a timer, so it runs on the worker that held the driver,
        // and it spawns nothing: the other worker, asleep on its own parker, must be brought to
        // the driver (by the stall detector's check, well before the 100 ms threshold).
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("stall-io").build();
        startEchoServer();
        CountDownLatch blocking = new CountDownLatch(1);
        AtomicLong blockEnded = new AtomicLong();
        JoinHandle<Void> blocker = runtime.spawn(Time.sleep(Duration.ofMillis(20)).map(ignored -> {
            blocking.countDown();
            sleep(1_500);
            blockEnded.set(System.nanoTime());
            return null;
        }));
        assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(echoRoundTrip("during a stall")).isEqualTo("during a stall");
        long roundTripDone = System.nanoTime();
        blocker.get(10, TimeUnit.SECONDS);
        assertThat(roundTripDone).as("the round trip ended before the blocked poll did").isLessThan(blockEnded.get());
    }

    private void startEchoServer() throws Exception {
        listener = runtime.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        server = runtime.spawn(Task.completed(listener).flatMap(bound -> Task.loop(bound, l -> l.accept().map(stream -> {
            AsyncRuntime.current().spawn(echo(stream));
            return Step.<TcpListener, Void>next(l);
        }))));
    }

    private static Task<Void> echo(TcpStream stream) {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        return Task.loop(stream, s -> s.read(buffer.clear()).flatMap(n -> n < 0
                ? Task.run(s::close).map(v -> Step.<TcpStream, Void>done(null))
                : s.writeAll(buffer.flip()).map(v -> Step.next(s))));
    }

    /** One round trip through the echo server with a plain blocking socket. */
    private String echoRoundTrip(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try (Socket client = new Socket()) {
            client.setSoTimeout(10_000);
            client.connect(listener.localAddress(), 10_000);
            client.getOutputStream().write(bytes);
            InputStream in = client.getInputStream();
            return new String(in.readNBytes(bytes.length), StandardCharsets.UTF_8);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

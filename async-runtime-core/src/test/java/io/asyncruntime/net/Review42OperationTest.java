package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.TaskCancelledException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review42 probes of io23 (2c66519): the mirror of TcpOperationWaitersTest (an aborted read withdraws
 * the read waker only, loses no bytes, and a waiting writer still finishes), an aborted accept, and
 * that shared ready counts stay per-task at the Task/JoinHandle level (TCP and UDP). Real sockets on
 * 127.0.0.1.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Review42OperationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static int waiters(IoRegistration registration, int direction) {
        return IoTestAccess.waiters(registration, direction);
    }

    @Test
    void anAbortedReadWithdrawsOnlyItsReaderLosesNoBytesAndTheWriterStillFinishes() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream stream = runtime.blockOn(TcpStream.connect(server.getLocalSocketAddress()));
            try (Socket peer = server.accept()) {
                JoinHandle<Integer> read = runtime.spawn(stream.read(ByteBuffer.allocate(8)));
                ByteBuffer payload = ByteBuffer.allocate(32 << 20);
                JoinHandle<Void> write = runtime.spawn(stream.writeAll(payload));
                await().atMost(PATIENCE).until(() -> waiters(stream.registration(), IoRegistration.READ) == 1
                        && waiters(stream.registration(), IoRegistration.WRITE) == 1);

                read.abort();
                assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
                assertThat(waiters(stream.registration(), IoRegistration.READ)).isZero();
                assertThat(waiters(stream.registration(), IoRegistration.WRITE)).isEqualTo(1);
                assertThat(write.isFinished()).isFalse();

                OutputStream out = peer.getOutputStream();
                out.write(new byte[] {7, 8, 9});
                out.flush();
                ByteBuffer again = ByteBuffer.allocate(8);
                assertThat(runtime.blockOn(stream.read(again))).isEqualTo(3);
                assertThat(again.get(0)).isEqualTo((byte) 7);

                // Draining the peer lets the waiting writer finish: its waker survived the reader's abort.
                InputStream in = peer.getInputStream();
                long drained = 0;
                byte[] chunk = new byte[1 << 16];
                while (drained < payload.capacity()) {
                    int n = in.read(chunk);
                    assertThat(n).isPositive();
                    drained += n;
                }
                write.get(10, TimeUnit.SECONDS);
                assertThat(payload.hasRemaining()).isFalse();
            } finally {
                stream.close();
            }
        }
    }

    @Test
    void anAbortedAcceptWithdrawsItsWakerAndTheNextAcceptGetsTheConnection() throws Exception {
        TcpListener listener = runtime.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        try {
            JoinHandle<TcpStream> accept = runtime.spawn(listener.accept());
            await().atMost(PATIENCE).until(() -> waiters(listener.registration(), IoRegistration.READ) == 1);
            accept.abort();
            assertThatThrownBy(() -> accept.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
            assertThat(waiters(listener.registration(), IoRegistration.READ)).isZero();
            try (Socket client = new Socket()) {
                client.connect(listener.localAddress());
                try (TcpStream accepted = runtime.blockOn(listener.accept())) {
                    assertThat(accepted.peerAddress()).isEqualTo(client.getLocalSocketAddress());
                }
            }
        } finally {
            listener.close();
        }
    }

    @Test
    void sharedCountsStayPerTaskAcrossStreamsHandlesAndUdp() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            TcpStream a = runtime.blockOn(TcpStream.connect(server.getLocalSocketAddress()));
            TcpStream b = runtime.blockOn(TcpStream.connect(server.getLocalSocketAddress()));
            try (Socket pa = server.accept(); Socket pb = server.accept()) {
                pa.getOutputStream().write(new byte[200]);
                pb.getOutputStream().write(new byte[200]);
                ByteBuffer ba = ByteBuffer.allocate(200);
                ByteBuffer bb = ByteBuffer.allocate(200);
                JoinHandle<Integer> ra = runtime.spawn(stream(a).readExactCount(ba));
                JoinHandle<Integer> rb = runtime.spawn(stream(b).readExactCount(bb));
                assertThat(ra.get(10, TimeUnit.SECONDS)).isEqualTo(200);
                ra.abort();                                   // after completion: a no-op, and only ra's
                assertThat(rb.get(10, TimeUnit.SECONDS)).isEqualTo(200);
                assertThat(ra.get(10, TimeUnit.SECONDS)).isEqualTo(200);
                assertThat(runtime.blockOn(a.read(ByteBuffer.allocate(0)))).isZero();
            } finally {
                a.close();
                b.close();
            }
        }
        try (UdpSocket x = runtime.blockOn(UdpSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
                UdpSocket y = runtime.blockOn(UdpSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
            runtime.blockOn(x.connect(y.localAddress()));
            runtime.blockOn(y.connect(x.localAddress()));
            JoinHandle<Integer> recv = runtime.spawn(y.recv(ByteBuffer.allocate(2000)));
            assertThat(runtime.blockOn(x.send(ByteBuffer.allocate(1024)))).isEqualTo(1024);
            assertThat(recv.get(10, TimeUnit.SECONDS)).isEqualTo(1024);
            JoinHandle<Integer> recv2 = runtime.spawn(y.recv(ByteBuffer.allocate(2000)));
            assertThat(runtime.blockOn(x.send(ByteBuffer.allocate(1025)))).isEqualTo(1025);
            assertThat(recv2.get(10, TimeUnit.SECONDS)).isEqualTo(1025);
        }
    }

    /** A read loop reporting the total: many reads with shared small counts, summed per task. */
    private static Counting stream(TcpStream s) {
        return new Counting(s);
    }

    private record Counting(TcpStream s) {
        io.asyncruntime.task.Task<Integer> readExactCount(ByteBuffer dst) {
            return io.asyncruntime.task.Task.loop(0, total -> !dst.hasRemaining()
                    ? io.asyncruntime.task.Task.completed(io.asyncruntime.task.Step.done(total))
                    : s.read(dst).map(n -> io.asyncruntime.task.Step.next(total + n)));
        }
    }
}

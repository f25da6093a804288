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
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream's operations wait on their own direction of the stream's registration (IoOperation
 * takes both from the operation, not from fields it stores): a cancelled writer withdraws its
 * waker from the write side and leaves a waiting reader's alone; counts come back right on either
 * side of the shared ready polls ({@link ReadyCounts}). Real sockets on 127.0.0.1, a blocking JDK
 * peer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpOperationWaitersTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static int waiters(TcpStream stream, int direction) {
        return IoTestAccess.waiters(stream.registration(), direction);
    }

    @Test
    void anAbortedWriteAllWithdrawsItsWriterAndTheWaitingReaderKeepsWaiting() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream stream = runtime.blockOn(TcpStream.connect(server.getLocalSocketAddress()));
            try (Socket peer = server.accept()) {
                ByteBuffer reply = ByteBuffer.allocate(8);
                JoinHandle<Integer> read = runtime.spawn(stream.read(reply));
                ByteBuffer payload = ByteBuffer.allocate(32 << 20);    // far more than both socket buffers hold
                JoinHandle<Void> write = runtime.spawn(stream.writeAll(payload));
                await().atMost(PATIENCE).until(() -> waiters(stream, IoRegistration.READ) == 1
                        && waiters(stream, IoRegistration.WRITE) == 1);

                write.abort();
                assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
                assertThat(waiters(stream, IoRegistration.WRITE)).isZero();
                assertThat(waiters(stream, IoRegistration.READ)).isEqualTo(1);
                assertThat(read.isFinished()).isFalse();

                // The reader still wakes for its bytes; what the cancelled writer wrote arrives whole.
                OutputStream out = peer.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                out.flush();
                assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(3);
                runtime.blockOn(stream.shutdownOutput());
                InputStream in = peer.getInputStream();
                assertThat(in.readAllBytes().length).isEqualTo(payload.position());
            } finally {
                stream.close();
            }
        }
    }

    @Test
    void readAndWriteReturnTheirCountsBelowAndAboveTheSharedOnes() throws Exception {
        int large = ReadyCounts.CACHED * 3;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream stream = runtime.blockOn(TcpStream.connect(server.getLocalSocketAddress()));
            try (Socket peer = server.accept()) {
                assertThat(runtime.blockOn(stream.write(ByteBuffer.allocate(0)))).isZero();
                assertThat(runtime.blockOn(stream.read(ByteBuffer.allocate(0)))).isZero();

                ByteBuffer small = ByteBuffer.allocate(64);
                assertThat(runtime.blockOn(stream.write(small))).isEqualTo(64).isEqualTo(small.position());
                ByteBuffer big = ByteBuffer.allocate(large);
                int written = runtime.blockOn(stream.write(big));
                assertThat(written).isPositive().isEqualTo(big.position());
                assertThat(peer.getInputStream().readNBytes(64 + written).length).isEqualTo(64 + written);

                OutputStream out = peer.getOutputStream();
                out.write(new byte[large]);
                out.flush();
                peer.shutdownOutput();
                ByteBuffer into = ByteBuffer.allocate(large * 2);
                long total = 0;
                for (;;) {
                    int n = runtime.blockOn(stream.read(into));
                    if (n < 0) {
                        break;
                    }
                    assertThat(n).isPositive();
                    total += n;
                }
                assertThat(total).isEqualTo(large).isEqualTo(into.position());
            } finally {
                stream.close();
            }
        }
    }
}

package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.TaskCancelledException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the runtime closes every socket its driver watches, and every task waiting on one
 * ends: on a worker, cancelled; inside {@code blockOn}, with an error naming the shutdown.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IoShutdownTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void closingTheRuntimeClosesItsSocketsAndEndsEveryPendingOperation() throws Exception {
        // close() drains for the shutdown timeout (issue 10); the pending reads never end on their own.
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(100)).build();
        TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK));
        try (Socket client = new Socket(); Socket blockOnClient = new Socket()) {
            client.connect(listener.localAddress());
            TcpStream stream = runtime.blockOn(listener.accept());
            blockOnClient.connect(listener.localAddress());
            TcpStream blockOnStream = runtime.blockOn(listener.accept());
            JoinHandle<Integer> read = runtime.spawn(stream.read(ByteBuffer.allocate(8)));
            JoinHandle<TcpStream> accept = runtime.spawn(listener.accept());
            CompletableFuture<Throwable> blockOnFailure = new CompletableFuture<>();
            Thread blocked = new Thread(() -> {
                try {
                    runtime.blockOn(blockOnStream.read(ByteBuffer.allocate(8)));
                    blockOnFailure.complete(null);
                } catch (Throwable t) {
                    blockOnFailure.complete(t);
                }
            });
            blocked.start();
            await().atMost(PATIENCE).until(() -> IoTestAccess.waiters(stream.registration(), IoRegistration.READ) == 1
                    && IoTestAccess.waiters(listener.registration(), IoRegistration.READ) == 1
                    && IoTestAccess.waiters(blockOnStream.registration(), IoRegistration.READ) == 1);

            runtime.close();

            assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
            assertThatThrownBy(() -> accept.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
            // Two endings race, both correct and both naming the shutdown: the driver failing the
            // read as it closes the socket, or blockOn noticing its runtime closed first.
            Throwable blockOnEnd = blockOnFailure.get(10, TimeUnit.SECONDS);
            if (blockOnEnd instanceof TaskCancelledException) {
                assertThat(blockOnEnd).hasMessageContaining("runtime was closed");
            } else {
                assertThat(blockOnEnd)
                        .isInstanceOf(CompletionException.class)
                        .cause().isInstanceOf(ClosedChannelException.class)
                        .hasMessageContaining("read from " + blockOnStream.peerAddress())
                        .hasMessageContaining("the async-runtime shut down");
            }
            assertThat(stream.isClosed()).isTrue();
            assertThat(listener.isClosed()).isTrue();
            assertThat(client.getInputStream().read()).isEqualTo(-1);          // the peer sees the end
            assertThat(blockOnClient.getInputStream().read()).isEqualTo(-1);
            assertThat(runtime.metrics().io().openRegistrations()).isZero();
        } finally {
            runtime.close();
        }
    }
}

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
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
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
            // A blockOn ends either way, whichever of the two shutdown steps reaches it first: the
            // scheduler's close (blockOn sees its runtime closed before polling again, and ends
            // cancelled) or the driver's (the read fails naming the stream and the shutdown).
            assertThat(blockOnFailure.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
                    failure -> assertThat(failure).isInstanceOf(TaskCancelledException.class)
                            .hasMessageContaining("runtime was closed"),
                    failure -> assertThat(failure).isInstanceOf(CompletionException.class)
                            .cause().isInstanceOf(ClosedChannelException.class)
                            .hasMessageContaining("read from " + blockOnStream.peerAddress())
                            .hasMessageContaining("the async-runtime shut down"));
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

package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads after an exact fill ({@link ReadSpeculation}): a request/response client learns to skip
 * the system call that would only say would-block, and a skip that turns out wrong (the bytes
 * were there) costs a wait for the selector, never the bytes or the wake-up.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadSpeculationTest {

    private static final int FRAME = 8;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static byte[] frame(int i) {
        return ByteBuffer.allocate(FRAME).putLong(i).array();
    }

    @Test
    void aClientThatSkipsSpeculativeReadsStillReadsABurstAlreadyInTheSocket() throws Exception {
        int roundTrips = 20;
        int burst = 200;
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)); Socket peer = new Socket()) {
            peer.connect(listener.localAddress());
            peer.setTcpNoDelay(true);
            TcpStream stream = runtime.blockOn(listener.accept());
            stream.setNoDelay(true);
            TcpStream[] streamRef = {stream};
            // The blocking peer answers each request, then sends a burst of frames unasked.
            Thread peerThread = new Thread(() -> {
                try {
                    DataInputStream in = new DataInputStream(peer.getInputStream());
                    OutputStream out = peer.getOutputStream();
                    byte[] request = new byte[FRAME];
                    for (int i = 0; i < roundTrips; i++) {
                        in.readFully(request);
                        // Answer only once the reader waits: its speculative read (if it made one)
                        // is then over and found nothing, whatever the load on the machine.
                        org.awaitility.Awaitility.await().atMost(PATIENCE).until(() ->
                                io.asyncruntime.internal.io.IoTestAccess.waiters(streamRef[0].registration(),
                                        io.asyncruntime.internal.io.IoRegistration.READ) == 1);
                        out.write(request);
                    }
                    in.readFully(request);                    // "go"
                    ByteBuffer all = ByteBuffer.allocate(burst * FRAME);
                    for (int i = 0; i < burst; i++) {
                        all.put(frame(i));
                    }
                    out.write(all.array());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, "speculation-peer");
            peerThread.start();

            ByteBuffer in = ByteBuffer.allocate(FRAME);
            for (int i = 0; i < roundTrips; i++) {
                in.clear();
                int sent = i;
                runtime.blockOn(stream.writeAll(ByteBuffer.wrap(frame(sent))).flatMap(v -> stream.readExact(in)));
                assertThat(in.getLong(0)).isEqualTo(sent);
            }
            // Each readExact followed a write of ours that the peer had yet to answer: learned.
            assertThat(stream.skippingSpeculativeReads()).isTrue();

            runtime.blockOn(stream.writeAll(ByteBuffer.wrap(frame(-1))));
            // The burst: every exact fill but the last leaves bytes in the socket, so a skipped
            // speculative read was wrong; each read must still get its frame, in order.
            long[] got = runtime.blockOn(Time.timeout(PATIENCE, Task.call(() -> new long[burst]).flatMap(values ->
                    Task.loop(0, i -> {
                        if (i == burst) {
                            return Task.completed(io.asyncruntime.task.Step.done(values));
                        }
                        ByteBuffer one = ByteBuffer.allocate(FRAME);
                        return stream.readExact(one).map(v -> {
                            values[i] = one.getLong(0);
                            return io.asyncruntime.task.Step.next(i + 1);
                        });
                    }))));
            for (int i = 0; i < burst; i++) {
                assertThat(got[i]).as("frame %d", i).isEqualTo(i);
            }
            peerThread.join(PATIENCE.toMillis());
            stream.close();
        }
    }
}

package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review16 check of 91e6aec (ReadSpeculation), not a defect reproducer: it passes on 9ef1878.
 * A reader that keeps switching between learning to skip (each reply sent only once the reader
 * waits, so speculative reads find nothing) and being wrong about it (bursts and split frames
 * already in the socket while it skips), whose readExact is cancelled at random poll counts
 * (the losing branch of a race: a cancel after the skip decision, after a partial read, while
 * registered), while another task writes to the same stream (the write side of the same state
 * word). A lost wake-up would show as a read that times out with the bytes in the socket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadSpeculationCancelledReadsStressTest {

    private static final int FRAME = 8;
    private static final int FRAMES = 4_000;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Ready at its {@code polls}-th poll (waking itself until then); never ready if 0. */
    private static final class ReadyAfterPolls implements Task<Boolean> {
        private int left;

        ReadyAfterPolls(int polls) {
            this.left = polls;
        }

        @Override
        public Poll<Boolean> poll(Context cx) {
            if (left == 0) {
                return Poll.pending();
            }
            if (--left == 0) {
                return Poll.ready(false);
            }
            cx.waker().wake();
            return Poll.pending();
        }
    }

    @Test
    void cancelledAndSkippingReadsNeverLoseAWakeUpOrAByte() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK)); Socket peer = new Socket()) {
            peer.connect(listener.localAddress());
            peer.setTcpNoDelay(true);
            TcpStream stream = runtime.blockOn(listener.accept());
            stream.setNoDelay(true);
            AtomicBoolean stop = new AtomicBoolean();
            Thread drain = new Thread(() -> {
                try {
                    InputStream in = peer.getInputStream();
                    byte[] sink = new byte[4096];
                    while (in.read(sink) >= 0) {
                        // discard what the writer task sends
                    }
                } catch (Exception ignored) {
                    // closed at the end
                }
            }, "review16-drain");
            drain.start();
            Thread sender = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(16);
                try {
                    OutputStream out = peer.getOutputStream();
                    int next = 0;
                    while (next < FRAMES && !stop.get()) {
                        // Blocks of 40 frames: 12 answered only once the reader waits (it learns to
                        // skip), then a mix in which skips are often wrong (bytes already there).
                        int mode = next % 40 < 12 ? 0 : random.nextInt(3);
                        if (mode == 0) {
                            // Only once the reader waits: its speculative read found nothing.
                            long until = System.nanoTime() + PATIENCE.toNanos();
                            while (IoTestAccess.waiters(stream.registration(), IoRegistration.READ) == 0
                                    && System.nanoTime() < until && !stop.get()) {
                                Thread.onSpinWait();
                            }
                            out.write(frame(next++));
                        } else if (mode == 1) {
                            int k = 1 + random.nextInt(6);
                            ByteBuffer burst = ByteBuffer.allocate(k * FRAME);
                            for (int i = 0; i < k && next < FRAMES; i++) {
                                burst.put(frame(next++));
                            }
                            out.write(burst.array(), 0, burst.position());
                        } else {
                            byte[] f = frame(next++);
                            int cut = 1 + random.nextInt(FRAME - 1);
                            out.write(f, 0, cut);
                            out.flush();
                            out.write(f, cut, FRAME - cut);
                        }
                        out.flush();
                    }
                } catch (Exception e) {
                    if (!stop.get()) {
                        throw new AssertionError(e);
                    }
                }
            }, "review16-sender");
            sender.start();
            // The same stream's write side, busy meanwhile.
            JoinHandle<Void> writer = runtime.spawn(Task.loop(0, i -> stop.get()
                    ? Task.completed(io.asyncruntime.task.Step.<Integer, Void>done(null))
                    : stream.writeAll(ByteBuffer.allocate(64)).map(v -> io.asyncruntime.task.Step.<Integer, Void>next(i + 1))));

            SplittableRandom random = new SplittableRandom(61);
            int cancels = 0;
            int whileSkipping = 0;
            try {
                for (int seq = 0; seq < FRAMES; seq++) {
                    ByteBuffer in = ByteBuffer.allocate(FRAME);
                    if (stream.skippingSpeculativeReads()) {
                        whileSkipping++;
                    }
                    for (;;) {
                        int polls = random.nextInt(4);
                        Task<Boolean> race = Task.race(stream.readExact(in).map(v -> true), new ReadyAfterPolls(polls));
                        boolean read = runtime.blockOn(Time.timeout(PATIENCE, race));
                        if (read) {
                            break;
                        }
                        cancels++;
                    }
                    assertThat(in.getLong(0)).as("frame %d", seq).isEqualTo(seq);
                }
            } finally {
                stop.set(true);
            }
            System.out.println("review16 speculation stress: " + FRAMES + " frames, " + cancels + " cancelled reads, "
                    + whileSkipping + " frames read while skipping speculative reads");
            assertThat(whileSkipping).as("the skip path was exercised").isPositive();
            writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            sender.join(PATIENCE.toMillis());
            stream.close();
            peer.close();
            drain.join(PATIENCE.toMillis());
        }
    }

    private static byte[] frame(int i) {
        return ByteBuffer.allocate(FRAME).putLong(i).array();
    }
}

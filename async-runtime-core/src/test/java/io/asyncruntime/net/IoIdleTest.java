package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.internal.io.IoRegistration;
import io.asyncruntime.internal.io.IoTestAccess;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.time.Time;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Waiting costs nothing: the process's CPU time (the OS MXBean's, not a guess from sleeping)
 * stays near zero while tasks wait on sockets, and the driver neither spins nor turns.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IoIdleTest {

    private static final Duration WINDOW = Duration.ofMillis(500);
    /**
     * The whole process over the window: a quarter of one core. The JVM's own threads (GC after
     * earlier tests in this JVM, the JIT) get that much on a shared machine, and the OS accounts
     * process time in 10 ms ticks; a spinning selector or worker would use the whole window.
     */
    private static final long MAX_PROCESS_CPU_NANOS = WINDOW.toNanos() / 4;
    /** Windows measured at most for the process bound (see {@link #quietestWindow}). */
    private static final int WINDOWS = 3;
    /** The runtime's own workers over the window (per-thread time, nanosecond resolution): 2 % of a core. */
    private static final long MAX_WORKER_CPU_NANOS = WINDOW.toNanos() / 50;
    private static final String WORKER_PREFIX = "io-idle-test-worker";

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix(WORKER_PREFIX).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long workerCpuNanos() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(WORKER_PREFIX)) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /** CPU time of the process and of the runtime's workers while the runtime's clock lets {@link #WINDOW} pass. */
    private long[] cpuNanosOverWindow() {
        long process = processCpuNanos();
        long workers = workerCpuNanos();
        runtime.blockOn(Time.sleep(WINDOW));
        return new long[] {processCpuNanos() - process, workerCpuNanos() - workers};
    }

    /**
     * The process's quietest of up to {@value #WINDOWS} windows (it stops at the first one under
     * the bound). The process is the whole surefire JVM: a window can catch the GC or threads that
     * earlier test classes left winding down (once: 250 ms in a full verify, never alone), while
     * a spinning selector or worker of this runtime shows in every window. The runtime's own
     * metrics are checked over the window returned: its I/O metrics at its start and end go to
     * {@code bounds[0]} and {@code bounds[1]}.
     */
    private long[] quietestWindow(RuntimeMetrics.IoMetrics[] bounds) {
        long[] quietest = null;
        for (int i = 0; i < WINDOWS; i++) {
            RuntimeMetrics.IoMetrics start = runtime.metrics().io();
            long[] cpu = cpuNanosOverWindow();
            if (quietest == null || cpu[0] < quietest[0]) {
                quietest = cpu;
                bounds[0] = start;
                bounds[1] = runtime.metrics().io();
            }
            if (cpu[0] < MAX_PROCESS_CPU_NANOS) {
                break;
            }
        }
        return quietest;
    }

    private static void assertIdle(long[] cpu, RuntimeMetrics.IoMetrics before, RuntimeMetrics.IoMetrics after, String what) {
        assertThat(cpu[0]).as("process CPU over %s %s", WINDOW, what).isLessThan(MAX_PROCESS_CPU_NANOS);
        assertThat(cpu[1]).as("worker CPU over %s %s", WINDOW, what).isLessThan(MAX_WORKER_CPU_NANOS);
        assertThat(after.readyEvents() - before.readyEvents()).as("ready events %s", what).isZero();
        assertThat(after.driverTurns() - before.driverTurns()).as("driver turns %s", what).isLessThan(20);
    }

    @Test
    void aHundredPendingReadsLeaveTheProcessIdle() throws Exception {
        try (TcpListener listener = runtime.blockOn(TcpListener.bind(Echo.ANY_LOOPBACK))) {
            List<Socket> clients = new ArrayList<>();
            List<TcpStream> streams = new ArrayList<>();
            List<JoinHandle<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Socket client = new Socket();
                client.connect(listener.localAddress());
                clients.add(client);
                TcpStream stream = runtime.blockOn(listener.accept());
                streams.add(stream);
                reads.add(runtime.spawn(stream.read(ByteBuffer.allocate(16))));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> streams.stream()
                    .allMatch(s -> IoTestAccess.waiters(s.registration(), IoRegistration.READ) == 1));
            cpuNanosOverWindow();                                   // lets the JIT and GC settle
            RuntimeMetrics.IoMetrics[] window = new RuntimeMetrics.IoMetrics[2];
            long[] cpu = quietestWindow(window);
            assertIdle(cpu, window[0], window[1], "with 100 pending reads");
            // And they all still work.
            for (int i = 0; i < 100; i++) {
                clients.get(i).getOutputStream().write(i);
            }
            for (JoinHandle<Integer> read : reads) {
                assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
            streams.forEach(TcpStream::close);
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aWriterToAPeerThatDoesNotReadWaitsWithoutSpinningAndResumesWhenItDrains() throws Exception {
        byte[] payload = new byte[32 << 20];                       // far more than both socket buffers hold
        new java.util.SplittableRandom(7).nextBytes(payload);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            JoinHandle<Void> writer = runtime.spawn(TcpStream.connect(server.getLocalSocketAddress())
                    .flatMap(stream -> stream.writeAll(ByteBuffer.wrap(payload)).map(v -> {
                        stream.close();
                        return (Void) null;
                    })));
            try (Socket peer = server.accept()) {
                // The writer fills the buffers, then waits for room.
                RuntimeMetrics.IoMetrics[] previous = {runtime.metrics().io()};
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    RuntimeMetrics.IoMetrics now = runtime.metrics().io();
                    boolean settled = now.driverTurns() == previous[0].driverTurns() && !writer.isFinished();
                    previous[0] = now;
                    return settled;
                });
                cpuNanosOverWindow();                               // lets the JIT and GC settle
                RuntimeMetrics.IoMetrics[] window = new RuntimeMetrics.IoMetrics[2];
                long[] cpu = quietestWindow(window);
                assertThat(writer.isFinished()).isFalse();
                assertIdle(cpu, window[0], window[1], "with a writer waiting for room");
                // The peer drains: the writer resumes and every byte arrives in order.
                InputStream in = peer.getInputStream();
                byte[] received = in.readAllBytes();
                assertThat(received.length).isEqualTo(payload.length);
                assertThat(Arrays.equals(received, payload)).isTrue();
                writer.get(10, TimeUnit.SECONDS);
            }
        }
    }
}

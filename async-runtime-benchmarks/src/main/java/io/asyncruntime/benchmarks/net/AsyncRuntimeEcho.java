package io.asyncruntime.benchmarks.net;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.benchmarks.Implementation;
import io.asyncruntime.net.TcpListener;
import io.asyncruntime.net.TcpStream;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * This runtime, written as a user would: a {@link TcpListener} whose accept loop spawns one echo
 * task per connection, and one client task per connection and batch, all composed from the public
 * combinators on the default builder with {@link Implementation#WORKER_THREADS} workers.
 * {@code TCP_NODELAY} on both ends, as Netty sets by default; direct buffers, as NIO experts (and
 * Netty's pooled allocator) use for sockets, so the JDK copies nothing through a temporary one.
 */
final class AsyncRuntimeEcho implements EchoWorkload {

    /** The server reads what is there, up to this much, and writes it back. */
    private static final int SERVER_BUFFER = 16 * 1024;

    private final AsyncRuntime runtime;
    private final TcpListener listener;
    private final List<Client> clients = new ArrayList<>();

    /** One client connection and its two buffers, made once per connection as a user's client would keep them. */
    private record Client(TcpStream stream, ByteBuffer out, ByteBuffer in) {
    }

    AsyncRuntimeEcho(int connections, int messageSize) {
        this.runtime = AsyncRuntime.builder().workerThreads(Implementation.WORKER_THREADS).build();
        byte[] message = new byte[messageSize];
        this.listener = runtime.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                connections));
        runtime.spawn(Task.<Void, Void>loop(null, ignored -> listener.accept().map(stream -> {
            stream.setNoDelay(true);
            AsyncRuntime.current().spawn(echo(stream));
            return Step.next(null);
        })));
        for (int i = 0; i < connections; i++) {
            TcpStream client = runtime.blockOn(TcpStream.connect(listener.localAddress()));
            client.setNoDelay(true);
            clients.add(new Client(client, ByteBuffer.allocateDirect(messageSize).put(message),
                    ByteBuffer.allocateDirect(messageSize)));
        }
    }

    private static Task<Void> echo(TcpStream stream) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(SERVER_BUFFER);
        return Task.<Void, Void>loop(null, ignored -> {
            buffer.clear();
            return stream.read(buffer).flatMap(n -> {
                if (n < 0) {
                    stream.close();
                    return Task.completed(Step.<Void, Void>done(null));
                }
                buffer.flip();
                return stream.writeAll(buffer).map(v -> Step.<Void, Void>next(null));
            });
        });
    }

    @Override
    public void run(int roundTrips, long[][] latencies) throws Exception {
        List<JoinHandle<Integer>> batch = new ArrayList<>(clients.size());
        for (int c = 0; c < clients.size(); c++) {
            batch.add(runtime.spawn(roundTrips(clients.get(c), roundTrips, latencies[c])));
        }
        for (JoinHandle<Integer> client : batch) {
            client.get();
        }
    }

    private static Task<Integer> roundTrips(Client client, int count, long[] latencies) {
        TcpStream stream = client.stream();
        ByteBuffer out = client.out();
        ByteBuffer in = client.in();
        return Task.loop(0, i -> {
            if (i == count) {
                return Task.completed(Step.done(i));
            }
            long start = System.nanoTime();
            out.clear();
            in.clear();
            return stream.writeAll(out).flatMap(v -> stream.readExact(in)).map(v -> {
                latencies[i] = System.nanoTime() - start;
                return Step.next(i + 1);
            });
        });
    }

    /** The runtime's counters, for the benchmark's diagnostics line. */
    String counters() {
        io.asyncruntime.RuntimeMetrics m = runtime.metrics();
        return "[polls=" + m.totalPolls() + ", parks=" + m.totalParks() + ", steals=" + m.totalSteals() + ", " + m.io() + "]";
    }

    @Override
    public void close() {
        clients.forEach(client -> client.stream().close());
        listener.close();
        runtime.close();
    }
}

package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TCP echo server of the root README, verbatim (but on a free port), works. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeEchoTest {

    // ---- as in README.md ----
    Task<Void> echo(TcpStream stream) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        return Task.loop(stream, s -> s.read(buffer.clear()).flatMap(n -> n < 0
                ? Task.run(s::close).map(v -> Step.<TcpStream, Void>done(null))
                : s.writeAll(buffer.flip()).map(v -> Step.next(s))));
    }

    /** Compiled, not run (port 7000, forever): the README's server, verbatim. */
    @SuppressWarnings("unused")
    void serveForever(AsyncRuntime runtime) {
        runtime.blockOn(TcpListener.bind(new InetSocketAddress(7000)).flatMap(listener ->
                Task.loop(listener, l -> l.accept().map(stream -> {
                    AsyncRuntime.current().spawn(echo(stream));           // a task per connection
                    return Step.next(l);
                }))));
    }
    // ---- end ----

    @Test
    void theReadmeEchoServerEchoes() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            TcpListener bound = runtime.blockOn(TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            JoinHandle<Void> server = runtime.spawn(Task.completed(bound).flatMap(listener ->
                    Task.loop(listener, l -> l.accept().map(stream -> {
                        AsyncRuntime.current().spawn(echo(stream));           // a task per connection
                        return Step.<TcpListener, Void>next(l);
                    }))));
            try (Socket client = new Socket()) {
                client.connect(bound.localAddress());
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                out.write("hello, echo".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(in.readNBytes(11), StandardCharsets.UTF_8)).isEqualTo("hello, echo");
                client.shutdownOutput();
                assertThat(in.read()).isEqualTo(-1);                     // the server closed its side
            }
            bound.close();
            server.abort();
        }
    }
}

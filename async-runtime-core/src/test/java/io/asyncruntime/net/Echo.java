package io.asyncruntime.net;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Echo tasks the network tests share: written with the public API only, as a user would. */
final class Echo {

    static final SocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private Echo() {
    }

    /** Echoes everything the stream sends until it ends, then closes it. */
    static Task<Void> echo(TcpStream stream, int bufferSize) {
        ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
        return Task.<Void, Void>loop(null, ignored -> {
            buffer.clear();
            return stream.read(buffer).flatMap(n -> {
                if (n < 0) {
                    stream.close();
                    return Task.completed(Step.done(null));
                }
                buffer.flip();
                return stream.writeAll(buffer).map(v -> Step.next(null));
            });
        });
    }

    /** Accepts forever, spawning an echo task per connection; ends when the listener closes. */
    static Task<Void> serve(TcpListener listener, int bufferSize) {
        return Task.<Void, Void>loop(null, ignored -> listener.accept().map(stream -> {
            AsyncRuntime.current().spawn(echo(stream, bufferSize));
            return Step.next(null);
        }));
    }
}

package io.asyncruntime.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.TaskCancelledException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP on real sockets: to and from, connected, cancel-safe receives, several receivers, errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpSocketTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer received) {
        return new String(received.array(), 0, received.position(), StandardCharsets.US_ASCII);
    }

    private UdpSocket bind() {
        return runtime.blockOn(UdpSocket.bind(Echo.ANY_LOOPBACK));
    }

    @Test
    void twoRuntimeSocketsExchangeDatagramsAndSeeTheSender() throws Exception {
        try (UdpSocket a = bind(); UdpSocket b = bind()) {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            JoinHandle<SocketAddress> receive = runtime.spawn(b.recvFrom(buffer));
            assertThat(runtime.blockOn(a.sendTo(ascii("hello b"), b.localAddress()))).isEqualTo(7);
            assertThat(receive.get(10, TimeUnit.SECONDS)).isEqualTo(a.localAddress());
            assertThat(text(buffer)).isEqualTo("hello b");
        }
    }

    @Test
    void aConnectedSocketTalksToABlockingJdkPeer() throws Exception {
        try (UdpSocket socket = bind(); DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            runtime.blockOn(socket.connect(peer.getLocalSocketAddress()));
            assertThat(socket.peerAddress()).isEqualTo(peer.getLocalSocketAddress());
            runtime.blockOn(socket.send(ascii("ping")));
            DatagramPacket packet = new DatagramPacket(new byte[64], 64);
            peer.receive(packet);
            assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(packet.getSocketAddress()).isEqualTo(socket.localAddress());
            peer.send(new DatagramPacket("pong".getBytes(StandardCharsets.US_ASCII), 4, socket.localAddress()));
            ByteBuffer buffer = ByteBuffer.allocate(64);
            assertThat(runtime.blockOn(socket.recv(buffer))).isEqualTo(4);
            assertThat(text(buffer)).isEqualTo("pong");
        }
    }

    @Test
    void anAbortedReceiveLosesNoDatagram() throws Exception {
        try (UdpSocket receiver = bind(); UdpSocket sender = bind()) {
            JoinHandle<SocketAddress> pending = runtime.spawn(receiver.recvFrom(ByteBuffer.allocate(64)));
            await().atMost(PATIENCE).until(() -> runtime.metrics().io().rearms() >= 1);   // it waits with interest armed
            pending.abort();
            assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
            runtime.blockOn(sender.sendTo(ascii("kept"), receiver.localAddress()));
            ByteBuffer buffer = ByteBuffer.allocate(64);
            assertThat(runtime.blockOn(receiver.recvFrom(buffer))).isEqualTo(sender.localAddress());
            assertThat(text(buffer)).isEqualTo("kept");
        }
    }

    @Test
    void severalTasksReceiveOnOneSocketAndEachDatagramGoesToOne() throws Exception {
        try (UdpSocket receiver = bind(); UdpSocket sender = bind()) {
            List<JoinHandle<String>> receivers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ByteBuffer buffer = ByteBuffer.allocate(64);
                receivers.add(runtime.spawn(receiver.recvFrom(buffer).map(from -> text(buffer))));
            }
            for (int i = 0; i < 4; i++) {
                runtime.blockOn(sender.sendTo(ascii("datagram " + i), receiver.localAddress()));
            }
            Set<String> got = new HashSet<>();
            for (JoinHandle<String> r : receivers) {
                got.add(r.get(10, TimeUnit.SECONDS));
            }
            assertThat(got).containsExactlyInAnyOrder("datagram 0", "datagram 1", "datagram 2", "datagram 3");
        }
    }

    @Test
    void errorsNameTheSocketAndTheCause() throws Exception {
        try (UdpSocket socket = bind()) {
            assertThatThrownBy(() -> runtime.blockOn(socket.send(ascii("nowhere"))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("send needs a connected UdpSocket");
            assertThatThrownBy(() -> runtime.blockOn(UdpSocket.bind(socket.localAddress())))
                    .cause().isInstanceOf(BindException.class)
                    .hasMessageContaining("bind " + socket.localAddress());
            assertThatThrownBy(() -> socket.sendTo(null, socket.localAddress())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("src must not be null");
            assertThatThrownBy(() -> socket.sendTo(ascii("x"), null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("target must not be null");
            assertThatThrownBy(() -> socket.recv(ByteBuffer.allocate(1).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            JoinHandle<SocketAddress> pending = runtime.spawn(socket.recvFrom(ByteBuffer.allocate(8)));
            await().atMost(PATIENCE).until(() -> runtime.metrics().io().rearms() >= 1);
            socket.close();
            assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClosedChannelException.class)
                    .hasMessageContaining("receive on " + socket.localAddress())
                    .hasMessageContaining("the UdpSocket was closed");
        }
    }
}

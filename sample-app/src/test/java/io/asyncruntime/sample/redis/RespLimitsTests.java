package io.asyncruntime.sample.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server protecting itself, with limits shrunk so that tests reach them: connections over
 * the maximum, oversized requests, idle clients, and a client that stops reading its replies.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE,
        properties = { "sample.redis.max-connections=3", "sample.redis.idle-timeout=1s",
                "sample.redis.write-timeout=500ms", "sample.redis.max-bulk-length=512B",
                "sample.redis.max-request-size=1KB", "sample.redis.output-buffer-limit=2KB" })
class RespLimitsTests {

    @Autowired
    private RespServerLifecycle lifecycle;

    private RespServer server() {
        return lifecycle.server();
    }

    @BeforeEach
    void noConnectionsLeftFromTheLastTest() {
        await().atMost(Duration.ofSeconds(10)).until(() -> server().openConnections() == 0);
    }

    @Test
    void aConnectionOverTheMaximumIsToldWhyAndClosed() throws Exception {
        List<RawClient> admitted = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient client = new RawClient(server().port());
                admitted.add(client);
                client.send("PING\r\n");
                assertThat(client.readLine()).isEqualTo("+PONG");
            }
            try (RawClient refused = new RawClient(server().port())) {
                assertThat(refused.readLine()).isEqualTo("-ERR max number of clients reached");
                assertThat(refused.closedByServer()).isTrue();
            }
            admitted.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server().openConnections() == 2);
            try (RawClient next = new RawClient(server().port())) {
                next.send("PING\r\n");
                assertThat(next.readLine()).isEqualTo("+PONG");
            }
        } finally {
            for (RawClient client : admitted) {
                client.close();
            }
        }
    }

    @Test
    void aBulkOverTheLimitIsAProtocolErrorAndACleanClose() throws Exception {
        try (RawClient client = new RawClient(server().port())) {
            client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$513\r\n");
            assertThat(client.readLine()).isEqualTo("-ERR Protocol error: invalid bulk length");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aRequestOverTheSizeLimitIsRefusedBeforeItIsBuffered() throws Exception {
        try (RawClient client = new RawClient(server().port())) {
            // Two bulks of 500 bytes: each is within the bulk limit, the request is not (1 KiB).
            client.send("*3\r\n$3\r\nSET\r\n$500\r\n" + "k".repeat(500) + "\r\n$500\r\n");
            assertThat(client.readLine()).startsWith("-ERR Protocol error: request of ")
                .endsWith(" bytes or more exceeds the limit of 1024 bytes");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void anIdleClientIsDisconnected() throws Exception {
        try (RawClient client = new RawClient(server().port())) {
            client.send("PING\r\n");
            assertThat(client.readLine()).isEqualTo("+PONG");
            long start = System.nanoTime();
            assertThat(client.closedByServer()).isTrue(); // waits for the idle timeout (1 s), at most 10 s
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedInsteadOfBufferedWithoutBound() throws Exception {
        try (Jedis jedis = new Jedis("127.0.0.1", server().port())) {
            jedis.set("big", "v".repeat(500));
        }
        long timedOutBefore = timedOutConnections();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", server().port()));
            byte[] gets = "GET big\r\n".repeat(40_000).getBytes(StandardCharsets.US_ASCII); // ~20 MB of replies
            try {
                socket.getOutputStream().write(gets); // never reads a reply
            } catch (IOException closedByServer) {
                // the server may close it while we are still writing
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server().openConnections() == 0);
        }
        assertThat(timedOutConnections()).isGreaterThan(timedOutBefore);
        try (Jedis jedis = new Jedis("127.0.0.1", server().port())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    private long timedOutConnections() {
        try (Jedis jedis = new Jedis("127.0.0.1", server().port())) {
            return jedis.info("stats").lines().filter(line -> line.startsWith("timed_out_connections:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).trim())).findFirst().orElseThrow();
        }
    }

}

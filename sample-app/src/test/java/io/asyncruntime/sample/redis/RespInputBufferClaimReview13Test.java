package io.asyncruntime.sample.redis;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Review 13: a bulk header is a claim, not bytes, yet the connection allocates its input buffer
 * for the whole claimed frame as soon as it reads the header (RespConnection.makeRoomFor). With the
 * defaults (8 MB bulks), 30 bytes per connection make the server hold 8 MB of zeroed heap per
 * connection: with {@code max-connections} 10,000 that is 80 GB for 300 KB sent. (Redis's
 * pre-sizing of a big argument is a malloc the OS backs lazily; a Java array is committed heap.)
 * The input buffer should grow with the bytes that actually arrive.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RespInputBufferClaimReview13Test {

    private static final int CLIENTS = 16;
    /** A SET whose value claims 8 MB (the default max-bulk-length), of which nothing is sent. */
    private static final String HEADER = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$8388608\r\n";

    @Autowired
    private RespServerLifecycle lifecycle;

    @Test
    void aClaimedBulkLengthDoesNotAllocateBeforeTheBytesArrive() throws Exception {
        RespServer server = lifecycle.server();
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                RawClient client = new RawClient(server.port());
                clients.add(client);
                client.send(HEADER);
            }
            // Each connection has read its header and waits for the rest of the frame.
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingWithHeader(server) >= CLIENTS);
            long held = 0;
            for (RespConnection c : connections(server)) {
                held += ((byte[]) field("in").get(c)).length;
            }
            long sent = (long) CLIENTS * HEADER.length();
            assertThat(held).as("input buffer bytes held for %d connections that sent %d bytes in all", CLIENTS, sent)
                .isLessThanOrEqualTo((long) CLIENTS * 4 * RespConnection.INITIAL_INPUT);
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    private static long waitingWithHeader(RespServer server) throws ReflectiveOperationException {
        long n = 0;
        for (RespConnection c : connections(server)) {
            int buffered = field("end").getInt(c) - field("start").getInt(c);
            if (c.isReading() && buffered == HEADER.length()) {
                n++;
            }
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static Set<RespConnection> connections(RespServer server) throws ReflectiveOperationException {
        Field f = RespServer.class.getDeclaredField("connections");
        f.setAccessible(true);
        return (Set<RespConnection>) f.get(server);
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = RespConnection.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

}

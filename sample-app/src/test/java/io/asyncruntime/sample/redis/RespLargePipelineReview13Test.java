package io.asyncruntime.sample.redis;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review 13: a client that writes a whole pipeline and only then reads the replies (what Jedis's
 * {@code Pipeline.sync()} and Lettuce with auto-flush off do) is served by Redis, which keeps
 * reading while replies queue in its output buffer. The sample stops reading while a batch of
 * replies waits to be written; once the replies fill the socket buffers and the rest of the
 * pipeline fills them the other way, client and server each wait for the other, and the sweeper
 * cuts the connection after {@code write-timeout} (30 s by default; 2 s here to fail fast). The
 * client is not one "that stops reading": it reads as soon as its pipeline is written. Fixed: the
 * connection reads (and queues replies) while a write waits; a client that really stops reading
 * is disconnected once its replies pass {@code output-queue-limit}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE,
        properties = { "sample.redis.write-timeout=2s", "sample.redis.output-queue-limit=32MB" })
class RespLargePipelineReview13Test {

    /**
     * GETs in the pipeline: 5.5 MB of requests, 27 MB of replies (redis-server 7.0.15 answers
     * 300,000 in 0.9 s). The client's small socket buffers make the old deadlock certain.
     */
    private static final int COMMANDS = 250_000;
    private static final byte[] GET = "*2\r\n$3\r\nGET\r\n$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VALUE_LENGTH = 100;
    /** "$100\r\n" + value + "\r\n". */
    private static final long REPLY_LENGTH = 6 + VALUE_LENGTH + 2;

    @Autowired
    private RespServerLifecycle lifecycle;

    @Test
    void aPipelineWrittenWholeBeforeItsRepliesAreReadIsAnsweredCompletely() throws Exception {
        int port = lifecycle.server().port();
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            jedis.set("v", "x".repeat(VALUE_LENGTH));
        }
        byte[] pipeline = new byte[COMMANDS * GET.length];
        for (int i = 0; i < COMMANDS; i++) {
            System.arraycopy(GET, 0, pipeline, i * GET.length, GET.length);
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Socket socket = new Socket()) {
            socket.setSendBufferSize(64 * 1024);
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            Future<Long> replies = pool.submit(() -> {
                OutputStream out = socket.getOutputStream();
                out.write(pipeline); // all of it first, as a pipelining client does
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[1 << 16];
                long total = 0;
                for (int n; total < COMMANDS * REPLY_LENGTH && (n = in.read(buffer)) != -1;) {
                    total += n;
                }
                return total;
            });
            long received;
            try {
                received = replies.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the pipeline of " + COMMANDS + " GETs failed: " + e.getCause(), e.getCause());
            }
            assertThat(received).as("reply bytes of %d GETs", COMMANDS).isEqualTo(COMMANDS * REPLY_LENGTH);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The bound that replaces "stop reading": a client that never reads is cut off at the output queue limit. */
    @Test
    void aClientThatNeverReadsIsDisconnectedAtTheOutputQueueLimit() throws Exception {
        int port = lifecycle.server().port();
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            jedis.set("half-mega", "x".repeat(512 * 1024));
        }
        long before = outputLimitDisconnections(port);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            byte[] gets = "GET half-mega\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII); // 50 MB of replies
            try {
                socket.getOutputStream().write(gets); // and never reads
            } catch (java.io.IOException closedByServer) {
                // the server may close it while we are still writing
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> outputLimitDisconnections(port) > before);
        }
        assertThat(lifecycle.server().openConnections()).isLessThanOrEqualTo(1);
    }

    private static long outputLimitDisconnections(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            return jedis.info("stats").lines().filter(line -> line.startsWith("client_output_buffer_limit_disconnections:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).trim())).findFirst().orElseThrow();
        }
    }

}

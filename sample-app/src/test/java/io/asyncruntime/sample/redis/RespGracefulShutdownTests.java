package io.asyncruntime.sample.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.asyncruntime.sample.SampleApplication;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application (what SIGTERM does) while clients are writing: the server stops
 * accepting, finishes the batches it has read, answers them and closes; every SET a client saw
 * acknowledged is in the keyspace, and the context closes well within its shutdown timeout.
 */
class RespGracefulShutdownTests {

    private static final int CLIENTS = 8;

    @Test
    void everyAcknowledgedSetWasAppliedWhenTheServerDrains() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
            .properties("server.port=0", "sample.redis.port=0", "sample.redis.drain-timeout=5s")
            .run();
        RespServer server = context.getBean(RespServerLifecycle.class).server();
        Keyspace keyspace = context.getBean(Keyspace.class);
        int port = server.port();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicLong acks = new AtomicLong();
        CountDownLatch allConnected = new CountDownLatch(CLIENTS);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<String>> clients = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(pool.submit(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
                        jedis.ping();
                        allConnected.countDown();
                        for (int n = 0;; n++) {
                            if (id % 2 == 0) { // one SET at a time
                                String key = "c" + id + ":" + n;
                                jedis.set(key, Integer.toString(n));
                                acknowledged.put(key, Integer.toString(n));
                                acks.incrementAndGet();
                            } else { // pipelines of 50: a batch in flight when the drain starts
                                Pipeline pipeline = jedis.pipelined();
                                List<Response<String>> replies = new ArrayList<>();
                                for (int i = 0; i < 50; i++) {
                                    replies.add(pipeline.set("c" + id + ":" + n + ":" + i, "v" + i));
                                }
                                pipeline.sync();
                                for (int i = 0; i < 50; i++) {
                                    if ("OK".equals(replies.get(i).get())) {
                                        acknowledged.put("c" + id + ":" + n + ":" + i, "v" + i);
                                        acks.incrementAndGet();
                                    }
                                }
                            }
                        }
                    } catch (JedisException endedByTheServer) {
                        return endedByTheServer.getClass().getSimpleName();
                    }
                }));
            }
            assertThat(allConnected.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> acks.get() > 2_000);
            long start = System.nanoTime();
            context.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            for (Future<String> client : clients) {
                assertThat(client.get(15, TimeUnit.SECONDS)).isNotNull(); // every client saw its connection end
            }
        } finally {
            pool.shutdownNow();
            context.close();
        }
        assertThat(acknowledged).hasSizeGreaterThan(2_000);
        acknowledged.forEach((key, value) -> assertThat(keyspace.get(Key.of(key))).as(key)
            .isEqualTo(value.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(server.openConnections()).isZero();
    }

}

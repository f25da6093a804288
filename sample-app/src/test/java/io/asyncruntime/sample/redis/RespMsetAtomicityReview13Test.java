package io.asyncruntime.sample.redis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review 13: Redis documents {@code MSET} as atomic ("it is not possible for clients to see that
 * some of the keys were updated while others are unchanged"), and {@code MGET} reads one instant.
 * The sample sets and reads key by key, so a reader sees a half-applied {@code MSET}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RespMsetAtomicityReview13Test {

    private static final int KEYS = 32;
    private static final int BATCH = 200;
    private static final int MAX_BATCHES = 25;

    @Autowired
    private RespServerLifecycle lifecycle;

    @Test
    void aConcurrentMgetNeverSeesHalfOfAnMset() throws Exception {
        int port = lifecycle.server().port();
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "atomic:" + i;
        }
        try (Jedis setup = new Jedis("127.0.0.1", port, 10_000)) {
            setup.mset(pairs(keys, "0"));
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = pool.submit(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
                    int value = 0;
                    for (int b = 0; b < MAX_BATCHES && !stop.get(); b++) {
                        Pipeline pipeline = jedis.pipelined();
                        for (int i = 0; i < BATCH; i++) {
                            pipeline.mset(pairs(keys, Integer.toString(++value)));
                        }
                        pipeline.sync();
                    }
                }
                return null;
            });
            Future<List<String>> reader = pool.submit(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
                    for (int b = 0; b < MAX_BATCHES; b++) {
                        Pipeline pipeline = jedis.pipelined();
                        List<Response<List<String>>> reads = new ArrayList<>();
                        for (int i = 0; i < BATCH; i++) {
                            reads.add(pipeline.mget(keys));
                        }
                        pipeline.sync();
                        for (Response<List<String>> read : reads) {
                            if (new HashSet<>(read.get()).size() != 1) {
                                return read.get(); // a torn MSET
                            }
                        }
                    }
                    return null;
                } finally {
                    stop.set(true);
                }
            });
            List<String> torn = reader.get(60, TimeUnit.SECONDS);
            writer.get(60, TimeUnit.SECONDS);
            assertThat(torn).as("one MGET of keys that every MSET sets to one value").isNull();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    private static String[] pairs(String[] keys, String value) {
        String[] pairs = new String[keys.length * 2];
        for (int i = 0; i < keys.length; i++) {
            pairs[2 * i] = keys[i];
            pairs[2 * i + 1] = value;
        }
        return pairs;
    }

}

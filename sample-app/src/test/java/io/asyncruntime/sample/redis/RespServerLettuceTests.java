package io.asyncruntime.sample.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The RESP server driven by Lettuce, which connects the way production services do: it asks for
 * RESP3 with {@code HELLO 3}, falls back to RESP2, names itself, and pipelines from one connection.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RespServerLettuceTests {

    @Autowired
    private RespServerLifecycle lifecycle;

    private RedisClient client;

    private StatefulRedisConnection<String, String> connection;

    private RedisCommands<String, String> redis;

    @BeforeEach
    void connect() {
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(lifecycle.server().port())
            .withClientName("lettuce-test").withTimeout(Duration.ofSeconds(10)).build();
        client = RedisClient.create(uri);
        connection = client.connect();
        redis = connection.sync();
        redis.flushall();
    }

    @AfterEach
    void disconnect() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Test
    void everyCommandAnswersAsRedisDoes() {
        assertThat(redis.ping()).isEqualTo("PONG");
        assertThat(redis.echo("e")).isEqualTo("e");
        assertThat(redis.clientGetname()).isEqualTo("lettuce-test");
        assertThat(redis.set("k", "v", SetArgs.Builder.nx())).isEqualTo("OK");
        assertThat(redis.set("k", "w", SetArgs.Builder.nx())).isNull();
        assertThat(redis.set("k", "w", SetArgs.Builder.xx().ex(100))).isEqualTo("OK");
        assertThat(redis.ttl("k")).isBetween(99L, 100L);
        assertThat(redis.get("k")).isEqualTo("w");
        assertThat(redis.mset(java.util.Map.of("a", "1", "b", "2"))).isEqualTo("OK");
        assertThat(redis.mget("a", "b", "z")).containsExactly(KeyValue.just("a", "1"), KeyValue.just("b", "2"),
                KeyValue.empty("z"));
        assertThat(redis.incr("a")).isEqualTo(2);
        assertThat(redis.incrby("a", 10)).isEqualTo(12);
        assertThat(redis.decr("a")).isEqualTo(11);
        assertThat(redis.exists("a", "b", "z")).isEqualTo(2);
        assertThat(redis.expire("a", 100)).isTrue();
        assertThat(redis.pttl("a")).isBetween(99_000L, 100_000L);
        assertThat(redis.pexpire("b", 100_000)).isTrue();
        assertThat(redis.del("a", "b", "z")).isEqualTo(2);
        assertThat(redis.dbsize()).isEqualTo(1);
        assertThat(redis.info("keyspace")).contains("db0:keys=1,expires=1");
        assertThat(redis.commandCount()).isEqualTo(25);
        assertThat(redis.flushall()).isEqualTo("OK");
        assertThat(redis.dbsize()).isZero();
    }

    @Test
    void aKeyWithAShortPxExpiresWithoutBeingRead() {
        redis.set("short", "v", SetArgs.Builder.px(100));
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.dbsize() == 0);
    }

    @Test
    void tenThousandCommandsPipelinedFromOneConnectionAreAnsweredInOrder() throws Exception {
        RedisAsyncCommands<String, String> async = connection.async();
        connection.setAutoFlushCommands(false);
        List<RedisFuture<Long>> increments = new ArrayList<>();
        List<RedisFuture<?>> all = new ArrayList<>();
        try {
            for (int i = 0; i < 5_000; i++) {
                all.add(async.set("p:" + i, Integer.toString(i)));
                RedisFuture<Long> increment = async.incr("sequence");
                increments.add(increment);
                all.add(increment);
            }
            connection.flushCommands();
            assertThat(LettuceFutures.awaitAll(30, TimeUnit.SECONDS, all.toArray(new RedisFuture[0]))).isTrue();
        } finally {
            connection.setAutoFlushCommands(true);
        }
        for (int i = 0; i < increments.size(); i++) {
            assertThat(increments.get(i).get()).isEqualTo(i + 1);
        }
        assertThat(redis.get("p:4999")).isEqualTo("4999");
    }

}

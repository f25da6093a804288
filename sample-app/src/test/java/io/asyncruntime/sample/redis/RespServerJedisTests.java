package io.asyncruntime.sample.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The RESP server inside the running sample, driven by Jedis: every command, expiry with real
 * short TTLs, a 10,000-command pipeline, and 200 clients at once.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RespServerJedisTests {

    @Autowired
    private RespServerLifecycle lifecycle;

    private Jedis jedis;

    @BeforeEach
    void connect() {
        jedis = new Jedis("127.0.0.1", lifecycle.server().port());
        jedis.flushAll();
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    @Test
    void pingEchoAndSetGet() {
        assertThat(jedis.ping()).isEqualTo("PONG");
        assertThat(jedis.ping("hi")).isEqualTo("hi");
        assertThat(jedis.echo("hello")).isEqualTo("hello");
        assertThat(jedis.get("missing")).isNull();
        assertThat(jedis.set("k", "v")).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("v");
        byte[] binary = { 0, '\r', '\n', (byte) 0xff };
        jedis.set("bin".getBytes(), binary);
        assertThat(jedis.get("bin".getBytes())).isEqualTo(binary);
    }

    @Test
    void setWithNxAndXxStoresOnlyWhenTheConditionHolds() {
        assertThat(jedis.set("k", "1", SetParams.setParams().xx())).isNull();
        assertThat(jedis.exists("k")).isFalse();
        assertThat(jedis.set("k", "1", SetParams.setParams().nx())).isEqualTo("OK");
        assertThat(jedis.set("k", "2", SetParams.setParams().nx())).isNull();
        assertThat(jedis.set("k", "3", SetParams.setParams().xx())).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("3");
    }

    @Test
    void badSetOptionsAreErrors() {
        assertThatExceptionOfType(JedisDataException.class)
            .isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "NX", "XX"))
            .withMessage("ERR syntax error");
        assertThatExceptionOfType(JedisDataException.class)
            .isThrownBy(() -> jedis.set("k", "v", SetParams.setParams().ex(0)))
            .withMessage("ERR invalid expire time in 'set' command");
        assertThatExceptionOfType(JedisDataException.class)
            .isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "EX", "ten"))
            .withMessage("ERR value is not an integer or out of range");
        assertThatExceptionOfType(JedisDataException.class)
            .isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "KEEPTTL"))
            .withMessage("ERR syntax error");
        assertThatExceptionOfType(JedisDataException.class)
            .isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "PX"))
            .withMessage("ERR syntax error");
        assertThatExceptionOfType(JedisDataException.class)
            .isThrownBy(() -> jedis.set("k", "v", SetParams.setParams().px(-5)))
            .withMessage("ERR invalid expire time in 'set' command");
        assertThat(jedis.exists("k")).isFalse();
    }

    @Test
    void delAndExistsCountKeys() {
        jedis.mset("a", "1", "b", "2");
        assertThat(jedis.exists("a", "b", "c", "a")).isEqualTo(3);
        assertThat(jedis.del("a", "c")).isEqualTo(1);
        assertThat(jedis.exists("a")).isFalse();
        assertThat(jedis.mget("a", "b", "c")).containsExactly(null, "2", null);
        assertThat(jedis.dbSize()).isEqualTo(1);
    }

    @Test
    void countersIncrementAndDecrement() {
        assertThat(jedis.incr("n")).isEqualTo(1);
        assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
        assertThat(jedis.decr("n")).isEqualTo(41);
        assertThat(jedis.decrBy("n", 50)).isEqualTo(-9);
        assertThat(jedis.get("n")).isEqualTo("-9");
        jedis.set("text", "abc");
        assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incr("text"))
            .withMessage("ERR value is not an integer or out of range");
        jedis.set("max", String.valueOf(Long.MAX_VALUE));
        assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incr("max"))
            .withMessage("ERR increment or decrement would overflow");
        assertThat(jedis.get("max")).isEqualTo(String.valueOf(Long.MAX_VALUE));
    }

    @Test
    void ttlsAreReportedAndKeysExpireOnTheTimingWheel() {
        jedis.set("plain", "v");
        assertThat(jedis.ttl("plain")).isEqualTo(-1);
        assertThat(jedis.ttl("missing")).isEqualTo(-2);
        assertThat(jedis.pttl("missing")).isEqualTo(-2);
        jedis.set("long", "v", SetParams.setParams().ex(100));
        assertThat(jedis.ttl("long")).isBetween(99L, 100L);
        jedis.set("short", "v", SetParams.setParams().px(150));
        assertThat(jedis.pttl("short")).isBetween(1L, 150L);
        jedis.set("expired-by-command", "v");
        assertThat(jedis.pexpire("expired-by-command", 100)).isEqualTo(1);
        assertThat(jedis.expire("missing", 10)).isEqualTo(0);
        // Nobody reads these keys: only the timers on the wheel can remove them.
        await().atMost(Duration.ofSeconds(5)).until(() -> jedis.dbSize() == 2);
        assertThat(jedis.get("short")).isNull();
        assertThat(jedis.get("expired-by-command")).isNull();
        assertThat(jedis.get("long")).isEqualTo("v");
    }

    @Test
    void aKeyOverwrittenWithoutTtlDoesNotExpire() throws Exception {
        jedis.set("k", "old", SetParams.setParams().px(100));
        jedis.set("k", "new");
        jedis.set("probe", "v", SetParams.setParams().px(150));
        await().atMost(Duration.ofSeconds(5)).until(() -> jedis.dbSize() == 1); // probe's timer fired
        assertThat(jedis.get("k")).isEqualTo("new");
        assertThat(jedis.ttl("k")).isEqualTo(-1);
    }

    @Test
    void aCounterKeepsItsTtlAndLazyExpiryHidesAnExpiredKey() {
        jedis.set("n", "1", SetParams.setParams().px(200));
        assertThat(jedis.incr("n")).isEqualTo(2);
        assertThat(jedis.pttl("n")).isBetween(1L, 200L);
        await().atMost(Duration.ofSeconds(5)).until(() -> jedis.get("n") == null);
        assertThat(jedis.exists("n")).isFalse();
        assertThat(jedis.incr("n")).isEqualTo(1); // a fresh counter, without the old deadline
        assertThat(jedis.ttl("n")).isEqualTo(-1);
    }

    @Test
    void expireWithANonPositiveTtlDeletes() {
        jedis.set("k", "v");
        assertThat(jedis.expire("k", 0)).isEqualTo(1);
        assertThat(jedis.exists("k")).isFalse();
    }

    @Test
    void flushAllEmptiesTheKeyspace() {
        jedis.mset("a", "1", "b", "2");
        jedis.set("c", "3", SetParams.setParams().ex(100));
        assertThat(jedis.flushAll()).isEqualTo("OK");
        assertThat(jedis.dbSize()).isZero();
    }

    @Test
    void infoHasRedisSectionsAndTheRuntimesCounters() {
        jedis.set("k", "v");
        String info = jedis.info();
        assertThat(info).contains("# Server", "redis_version:7.0.0", "# Clients", "connected_clients:",
                "# Stats", "total_commands_processed:", "# Runtime", "workers:2", "spawned_tasks:", "# Keyspace",
                "db0:keys=1,expires=0");
        assertThat(jedis.info("runtime")).startsWith("# Runtime").doesNotContain("# Server");
    }

    @Test
    void clientNameSelectAndCommand() {
        assertThat(jedis.clientSetname("worker-1")).isEqualTo("OK");
        assertThat(jedis.clientGetname()).isEqualTo("worker-1");
        assertThat(jedis.clientId()).isPositive();
        assertThat(jedis.select(0)).isEqualTo("OK");
        assertThat(jedis.sendCommand(Protocol.Command.COMMAND, "COUNT")).isEqualTo(25L);
        List<?> info = (List<?>) jedis.sendCommand(Protocol.Command.COMMAND, "INFO", "get");
        assertThat(info).hasSize(1);
        assertThat((List<?>) info.get(0)).hasSize(7).element(1).isEqualTo(2L);
    }

    @Test
    void quitAnswersTheCommandsBeforeItAndCloses() throws Exception {
        try (RawClient client = new RawClient(lifecycle.server().port())) {
            client.send("PING\r\nQUIT\r\nPING\r\n");
            assertThat(client.readLine()).isEqualTo("+PONG");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void tenThousandPipelinedCommandsAreAnsweredInOrder() {
        Pipeline pipeline = jedis.pipelined();
        List<Response<Long>> counts = new ArrayList<>();
        List<Response<String>> values = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            pipeline.set("key:" + i, "value:" + i);
            counts.add(pipeline.incr("counter"));
        }
        for (int i = 0; i < 5_000; i += 5) {
            values.add(pipeline.get("key:" + i));
        }
        pipeline.sync();
        for (int i = 0; i < counts.size(); i++) {
            assertThat(counts.get(i).get()).isEqualTo(i + 1);
        }
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i).get()).isEqualTo("value:" + (i * 5));
        }
        assertThat(jedis.dbSize()).isEqualTo(5_001);
    }

    @Test
    void twoHundredClientsAtOnceEachSeeTheirOwnWritesAndShareACounter() throws Exception {
        int clients = 200;
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Callable<Boolean>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String key = "client:" + c;
                work.add(() -> {
                    try (Jedis client = new Jedis("127.0.0.1", lifecycle.server().port())) {
                        for (int r = 0; r < rounds; r++) {
                            client.set(key, Integer.toString(r));
                            if (!client.get(key).equals(Integer.toString(r))) {
                                return false;
                            }
                            client.incr("shared");
                        }
                        return true;
                    }
                });
            }
            for (Future<Boolean> result : pool.invokeAll(work, 60, TimeUnit.SECONDS)) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jedis.get("shared")).isEqualTo(Integer.toString(clients * rounds));
    }

}

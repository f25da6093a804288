package io.asyncruntime.sample.redis;

import java.time.Duration;
import java.util.Map;

import io.asyncruntime.ShutdownReport;
import io.asyncruntime.sample.SampleApplication;
import io.asyncruntime.spring.autoconfigure.AsyncRuntimeLifecycle;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review 13: a key with a TTL (the README's own {@code set greeting hello EX 60}) holds an expiry
 * timer task on the runtime that sleeps until the key's deadline and does not watch the runtime's
 * cancellation token. The graceful shutdown waits for every live task, so SIGTERM with such a key
 * takes the whole {@code async.runtime.shutdown-timeout} and ends with tasks aborted (logged at
 * WARN) instead of a clean drain.
 */
class RespExpiryTimersDelayShutdownReview13Test {

    @Test
    void aKeyWithATtlDoesNotHoldTheRuntimeShutdownUntilItsTimeout() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
            .properties("server.port=0", "sample.redis.port=0")
            .run("--async.runtime.shutdown-timeout=3s"); // over application.yml's 10 s, to fail sooner
        AsyncRuntimeLifecycle runtimeLifecycle;
        Duration closing;
        try {
            runtimeLifecycle = context.getBean(AsyncRuntimeLifecycle.class);
            int port = context.getBean(RespServerLifecycle.class).server().port();
            try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
                assertThat(jedis.set("greeting", "hello", SetParams.setParams().ex(60))).isEqualTo("OK");
            }
            long start = System.nanoTime();
            context.close();
            closing = Duration.ofNanos(System.nanoTime() - start);
        } finally {
            context.close();
        }
        Map<String, ShutdownReport> reports = runtimeLifecycle.shutdownReports();
        assertThat(reports).isNotEmpty();
        reports.forEach((name, report) -> assertThat(report.drained())
            .as("context closed in %d ms; runtime %s drained without aborting tasks: %s", closing.toMillis(), name, report)
            .isTrue());
        assertThat(closing).as("context close with one key holding a TTL").isLessThan(Duration.ofSeconds(2));
    }

}

package io.asyncruntime.sample.fanout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.asyncruntime.AsyncRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bulkhead and the rate limit: with one request allowed in flight and three per hour, a
 * second request while the first runs is refused by the bulkhead (503), a fourth by the rate
 * limiter (429), and the first still succeeds.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "sample.redis.enabled=false", "sample.fanout.max-concurrent=1", "sample.fanout.rate-permits=3", "sample.fanout.rate-period=1h" })
class FanOutProtectionTests {

    @LocalServerPort
    private int port;

    @Autowired
    private AsyncRuntime runtime;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpRequest get(String query) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fanout?" + query))
            .timeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void theBulkheadRefusesWhatDoesNotFitAndTheRateLimiterWhatComesTooOften() throws Exception {
        long timersBefore = runtime.metrics().activeTimers();
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(get("latency=1500&timeout=5000"),
                HttpResponse.BodyHandlers.ofString());
        // The slow request holds the only permit once its three downstream timers are armed.
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.metrics().activeTimers() >= timersBefore + 3);
        HttpResponse<String> refused = http.send(get("latency=0"), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("too many requests in flight");
        assertThat(http.send(get("latency=0"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        HttpResponse<String> limited = http.send(get("latency=0"), HttpResponse.BodyHandlers.ofString());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("rate limit exceeded");
        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

}

package io.asyncruntime.sample.fanout;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /fanout} over a real port: the happy path, the overall timeout, bad arguments. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class FanOutControllerTests {

    @Autowired
    private RestTestClient client;

    @Test
    void threeDownstreamCallsAreJoinedAndDigestedOnTheBlockingPool() {
        this.client.get()
            .uri("/fanout?latency=30&timeout=2000")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.replies.length()").isEqualTo(3)
            .jsonPath("$.replies[0].service").isEqualTo("inventory")
            .jsonPath("$.replies[2].latencyMillis").isEqualTo(50)
            .jsonPath("$.digest").value(String.class, (digest) -> assertThat(digest).hasSize(64))
            .jsonPath("$.digestThread").value(String.class, (thread) -> assertThat(thread).contains("blocking"))
            .jsonPath("$.elapsedMillis").value(Long.class, (elapsed) -> assertThat(elapsed).isGreaterThanOrEqualTo(50));
    }

    @Test
    void callsThatDoNotAllAnswerInTimeAreAGatewayTimeout() {
        this.client.get()
            .uri("/fanout?latency=2000&timeout=100")
            .exchange()
            .expectStatus()
            .isEqualTo(504)
            .expectBody()
            .jsonPath("$.detail").value(String.class, (detail) -> assertThat(detail).startsWith("the downstream services did not all answer in time"));
    }

    @Test
    void badArgumentsAreBadRequestsNamingTheArgument() {
        this.client.get()
            .uri("/fanout?timeout=0")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.detail").isEqualTo("timeout must be between 1 and 10000 ms, got 0");
        this.client.get()
            .uri("/fanout?latency=-1")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.detail").isEqualTo("latency must be between 0 and 10000 ms, got -1");
    }

}

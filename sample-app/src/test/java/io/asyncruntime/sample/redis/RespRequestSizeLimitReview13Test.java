package io.asyncruntime.sample.redis;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review 13: {@code sample.redis.max-request-size} is only checked for a frame that is still
 * incomplete and needs more room; a whole request that arrives in one read fits the 16 KiB input
 * buffer every connection starts with and is run, whatever the limit (here 1 KiB, the limits of
 * {@link RespLimitsTests}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE,
        properties = { "sample.redis.max-connections=3", "sample.redis.idle-timeout=1s",
                "sample.redis.write-timeout=500ms", "sample.redis.max-bulk-length=512B",
                "sample.redis.max-request-size=1KB", "sample.redis.output-buffer-limit=2KB" })
class RespRequestSizeLimitReview13Test {

    @Autowired
    private RespServerLifecycle lifecycle;

    @Test
    void aCompleteRequestOverTheSizeLimitIsRefusedToo() throws Exception {
        try (RawClient client = new RawClient(lifecycle.server().port())) {
            // 1,038 bytes in one write: each bulk within the bulk limit, the request over 1 KiB.
            client.send("*3\r\n$3\r\nSET\r\n$500\r\n" + "k".repeat(500) + "\r\n$500\r\n" + "v".repeat(500) + "\r\n");
            assertThat(client.readLine()).startsWith("-ERR Protocol error: request of ");
            assertThat(client.closedByServer()).isTrue();
        }
    }

}

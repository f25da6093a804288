package io.asyncruntime.sample.fanout;

import io.asyncruntime.sample.SampleApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Review 13: {@code sample.fanout.*} is not checked. A bulkhead of 0 starts an application whose
 * every {@code /fanout} is a 503, a {@code max-timeout} of 0 one whose every request is a 400
 * ("timeout must be between 1 and 0 ms"); a negative bulkhead fails in {@code Semaphore} with a
 * message about "permits" that does not name the property. {@code sample.redis.*} fails fast
 * naming the property and its range (RespServer.Settings); the fan-out's settings should too.
 */
class FanOutPropertiesReview13Test {

    @ParameterizedTest
    @ValueSource(strings = { "sample.fanout.max-concurrent=0", "sample.fanout.max-concurrent=-1",
            "sample.fanout.max-timeout=0s", "sample.fanout.rate-period=0s" })
    void anUnusableSettingFailsTheStartNamingTheProperty(String setting) {
        String property = setting.substring(0, setting.indexOf('='));
        ConfigurableApplicationContext[] started = new ConfigurableApplicationContext[1];
        Throwable failure = catchThrowable(() -> started[0] = new SpringApplicationBuilder(SampleApplication.class)
            .properties("server.port=0", "sample.redis.enabled=false")
            .run("--" + setting)); // a command-line argument: application.yml's own sample.fanout.* must not win
        if (started[0] != null) {
            started[0].close();
        }
        assertThat(failure).as("starting with %s", setting).isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString()).as("the start failure names the property").contains(property);
    }

}

package io.asyncruntime.sample.redis;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Bad settings fail fast, naming the property and its allowed range. */
class RespServerSettingsTests {

    @Test
    void eachOutOfRangeSettingIsNamed() {
        RedisProperties properties = new RedisProperties();
        properties.setPort(70000);
        assertThatIllegalArgumentException().isThrownBy(properties::toSettings)
            .withMessage("sample.redis.port must be between 0 and 65535, got 70000");
        properties.setPort(0);
        properties.setMaxConnections(0);
        assertThatIllegalArgumentException().isThrownBy(properties::toSettings)
            .withMessage("sample.redis.max-connections must be between 1 and 1000000, got 0");
        properties.setMaxConnections(10);
        properties.setMaxBulkLength(DataSize.ofMegabytes(64));
        assertThatIllegalArgumentException().isThrownBy(properties::toSettings)
            .withMessage("sample.redis.max-request-size must be between 67108864 and 1073741824, got 33554432");
        properties.setMaxBulkLength(DataSize.ofMegabytes(1));
        properties.setIdleTimeout(Duration.ofSeconds(-1));
        assertThatIllegalArgumentException().isThrownBy(properties::toSettings)
            .withMessageStartingWith("sample.redis.idle-timeout must be between 0 and ");
        properties.setIdleTimeout(Duration.ZERO);
        properties.setWriteTimeout(Duration.ZERO);
        assertThatIllegalArgumentException().isThrownBy(properties::toSettings)
            .withMessageStartingWith("sample.redis.write-timeout must be between 1ms and ");
        properties.setWriteTimeout(Duration.ofSeconds(1));
        properties.setHost(" ");
        assertThatIllegalArgumentException().isThrownBy(properties::toSettings)
            .withMessage("sample.redis.host must be an address to bind, got ' '");
    }

}

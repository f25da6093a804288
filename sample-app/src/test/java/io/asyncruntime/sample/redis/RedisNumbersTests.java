package io.asyncruntime.sample.redis;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Redis's strict integer syntax, which INCR, EXPIRE and SET's EX/PX rely on. */
class RedisNumbersTests {

    @ParameterizedTest
    @ValueSource(strings = { "0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808" })
    void decimalLongsRoundTrip(String text) {
        long value = RedisNumbers.parseLong(text.getBytes(StandardCharsets.US_ASCII));
        assertThat(value).isEqualTo(Long.parseLong(text));
        assertThat(new String(RedisNumbers.toBytes(value), StandardCharsets.US_ASCII)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "-", "+1", " 1", "1 ", "01", "-0", "1.5", "abc", "9223372036854775808",
            "-9223372036854775809", "123456789012345678901" })
    void anythingElseIsNotAnInteger(String text) {
        assertThatExceptionOfType(NumberFormatException.class)
            .isThrownBy(() -> RedisNumbers.parseLong(text.getBytes(StandardCharsets.US_ASCII)));
    }

}

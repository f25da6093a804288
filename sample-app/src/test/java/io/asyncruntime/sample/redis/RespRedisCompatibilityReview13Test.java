package io.asyncruntime.sample.redis;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review 13: replies that differ from Debian's redis-server 7.0.15 for the same bytes (each
 * expected line below is what redis-server answered, checked by hand on 127.0.0.1:6399).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RespRedisCompatibilityReview13Test {

    @Autowired
    private RespServerLifecycle lifecycle;

    private RawClient connect() throws Exception {
        return new RawClient(lifecycle.server().port());
    }

    /** What {@code nc}/{@code telnet} users type: Redis splits inline commands with quoting (sdssplitargs). */
    @Test
    void inlineCommandsHonourDoubleQuotesAsRedisDoes() throws Exception {
        try (RawClient client = connect()) {
            client.send("SET quoted \"hello world\"\r\nGET quoted\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo("$11");
            assertThat(client.readLine()).isEqualTo("hello world");
        }
    }

    /** Redis takes any EX whose deadline fits a long of milliseconds; the sample stops at 146 years. */
    @Test
    void setExAcceptsTheTtlsRedisAccepts() throws Exception {
        try (RawClient client = connect()) {
            client.send("*5\r\n$3\r\nSET\r\n$3\r\nfar\r\n$1\r\nv\r\n$2\r\nEX\r\n$11\r\n10000000000\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
        }
    }

    /** Redis refuses a TTL whose milliseconds overflow, and leaves the key alone; the sample deletes it. */
    @Test
    void anOverflowingNegativeExpireIsAnErrorAndKeepsTheKey() throws Exception {
        try (RawClient client = connect()) {
            client.send("SET kept v\r\nEXPIRE kept -9223372036854775808\r\nEXISTS kept\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo("-ERR invalid expire time in 'expire' command");
            assertThat(client.readLine()).isEqualTo(":1");
        }
    }

    /** Redis lets a later EX replace an earlier one (the last wins); the sample answers a syntax error. */
    @Test
    void aRepeatedExTakesTheLastOneAsRedisDoes() throws Exception {
        try (RawClient client = connect()) {
            client.send("SET twice v EX 10 EX 20\r\nTTL twice\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo(":20");
        }
    }

    /** Redis checks a name given with HELLO ... SETNAME as CLIENT SETNAME does; the sample takes any bytes. */
    @Test
    void helloSetnameRefusesANameClientSetnameRefuses() throws Exception {
        try (RawClient client = connect()) {
            client.send("*4\r\n$5\r\nHELLO\r\n$1\r\n2\r\n$7\r\nSETNAME\r\n$4\r\na\r\nb\r\n");
            assertThat(client.readLine())
                .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.");
        }
    }

}

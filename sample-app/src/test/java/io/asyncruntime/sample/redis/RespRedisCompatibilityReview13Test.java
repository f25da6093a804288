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

    /** sdssplitargs's escapes and single quotes, and a quote that opens inside an argument. */
    @Test
    void inlineEscapesAndSingleQuotesAreUnderstood() throws Exception {
        try (RawClient client = connect()) {
            client.send("SET esc \"a\\x41\\tb\\\"\"\r\nGET esc\r\nECHO 'it\\'s'\r\nECHO a\"b c\"\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo("$5");
            assertThat(client.readLine()).isEqualTo("aA\tb\"");
            assertThat(client.readLine()).isEqualTo("$4");
            assertThat(client.readLine()).isEqualTo("it's");
            assertThat(client.readLine()).isEqualTo("$4");
            assertThat(client.readLine()).isEqualTo("ab c");
        }
    }

    /** Redis answers a line with an unclosed quote, or a closing quote glued to more text, with a protocol error and closes. */
    @Test
    void unbalancedInlineQuotesAreAProtocolErrorAndAClose() throws Exception {
        for (String line : new String[] { "SET k \"open\r\n", "SET k \"a\"b\r\n", "SET k 'open\r\n" }) {
            try (RawClient client = connect()) {
                client.send(line);
                assertThat(client.readLine()).as(line).isEqualTo("-ERR Protocol error: unbalanced quotes in request");
                assertThat(client.closedByServer()).as(line).isTrue();
            }
        }
    }

    /** The far TTL is kept and reported; EX with PX is a syntax error; PEXPIRE with Long.MIN_VALUE deletes (its deadline is past). */
    @Test
    void ttlBoundsMatchRedis() throws Exception {
        try (RawClient client = connect()) {
            client.send("SET far v EX 10000000000\r\nTTL far\r\nSET k v EX 10 PX 10\r\nSET k v EX 9223372036854776\r\n"
                    + "SET gone v\r\nPEXPIRE gone -9223372036854775808\r\nEXISTS gone\r\n"
                    + "PEXPIRE far 9223372036854775807\r\nTTL far\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo(":10000000000");
            assertThat(client.readLine()).isEqualTo("-ERR syntax error");
            assertThat(client.readLine()).isEqualTo("-ERR invalid expire time in 'set' command");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo(":1");
            assertThat(client.readLine()).isEqualTo(":0");
            assertThat(client.readLine()).isEqualTo("-ERR invalid expire time in 'pexpire' command");
            assertThat(client.readLine()).isEqualTo(":10000000000");
        }
    }

}

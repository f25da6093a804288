package io.asyncruntime.sample.redis;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes no client library sends: each gets Redis's error reply, or the error and a clean close
 * where the framing is lost, and the server goes on serving everyone else.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class RespMalformedInputTests {

    @Autowired
    private RespServerLifecycle lifecycle;

    private int port() {
        return lifecycle.server().port();
    }

    @AfterEach
    void serverStillServesOthers() {
        try (Jedis jedis = new Jedis("127.0.0.1", port())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            jedis.set("after", "ok");
            assertThat(jedis.get("after")).isEqualTo("ok");
        }
    }

    @Test
    void unknownCommandIsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("*2\r\n$5\r\nFLURB\r\n$1\r\nx\r\nPING\r\n");
            assertThat(client.readLine()).isEqualTo("-ERR unknown command 'FLURB', with args beginning with: 'x' ");
            assertThat(client.readLine()).isEqualTo("+PONG");
        }
    }

    @Test
    void wrongArityIsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("*1\r\n$3\r\nGET\r\n*4\r\n$3\r\nGET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\nmset a\r\necho x\r\n");
            assertThat(client.readLine()).isEqualTo("-ERR wrong number of arguments for 'get' command");
            assertThat(client.readLine()).isEqualTo("-ERR wrong number of arguments for 'get' command");
            assertThat(client.readLine()).isEqualTo("-ERR wrong number of arguments for 'mset' command");
            assertThat(client.readLine()).isEqualTo("$1");
            assertThat(client.readLine()).isEqualTo("x");
        }
    }

    @Test
    void nonIntegerIncrIsAnErrorAndTheValueIsUnchanged() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("SET word abc\r\nINCR word\r\nINCRBY word 1\r\nSET n 1\r\nINCRBY n one\r\nGET n\r\n");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(client.readLine()).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(client.readLine()).isEqualTo("+OK");
            assertThat(client.readLine()).isEqualTo("-ERR value is not an integer or out of range");
            assertThat(client.readLine()).isEqualTo("$1");
            assertThat(client.readLine()).isEqualTo("1");
        }
    }

    @Test
    void badTypeByteInsideARequestIsAProtocolErrorAndACleanClose() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("PING\r\n*1\r\n:1\r\nPING\r\n");
            assertThat(client.readLine()).isEqualTo("+PONG");
            assertThat(client.readLine()).isEqualTo("-ERR Protocol error: expected '$', got ':'");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void aStrayTypeByteAtTheTopLevelIsReadAsAnInlineCommand() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("$3\r\nPING\r\n"); // as in Redis: "$3" is an (unknown) inline command
            assertThat(client.readLine()).isEqualTo("-ERR unknown command '$3', with args beginning with: ");
            assertThat(client.readLine()).isEqualTo("+PONG");
        }
    }

    @Test
    void negativeBulkLengthIsAProtocolErrorAndACleanClose() throws Exception {
        assertProtocolErrorAndClose("*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length");
    }

    @Test
    void hugeBulkLengthIsAProtocolErrorAndACleanClose() throws Exception {
        assertProtocolErrorAndClose("*2\r\n$3\r\nSET\r\n$9999999999\r\n", "-ERR Protocol error: invalid bulk length");
    }

    @Test
    void hugeArrayLengthIsAProtocolErrorAndACleanClose() throws Exception {
        assertProtocolErrorAndClose("*99999999\r\n", "-ERR Protocol error: invalid multibulk length");
    }

    @Test
    void aTruncatedFrameWaitsForTheRestAndIsThenAnswered() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("*2\r\n$4\r\nECHO\r\n$5\r\nhel");
            assertThat(client.silentFor(200)).isTrue();
            client.send("lo\r\n");
            assertThat(client.readLine()).isEqualTo("$5");
            assertThat(client.readLine()).isEqualTo("hello");
        }
    }

    @Test
    void aClientThatHangsUpInsideAFrameChangesNothing() throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send("*3\r\n$3\r\nSET\r\n$9\r\ntruncated\r\n$5\r\nval");
        }
        try (Jedis jedis = new Jedis("127.0.0.1", port())) {
            assertThat(jedis.exists("truncated")).isFalse();
        }
    }

    private void assertProtocolErrorAndClose(String input, String expectedReply) throws Exception {
        try (RawClient client = new RawClient(port())) {
            client.send(input);
            assertThat(client.readLine()).isEqualTo(expectedReply);
            assertThat(client.closedByServer()).isTrue();
        }
    }

}

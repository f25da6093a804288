package io.asyncruntime.sample.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The RESP2 request parser alone: framing, partial frames, pipelines, inline commands, limits. */
class RespParserTests {

    private final RespParser parser = new RespParser(1024);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> words(byte[][] args) {
        return Arrays.stream(args).map(a -> new String(a, StandardCharsets.ISO_8859_1)).toList();
    }

    /** Parses every complete request in {@code input}. */
    private List<List<String>> parseAll(String input) throws RespProtocolException {
        byte[] buf = bytes(input);
        List<List<String>> requests = new ArrayList<>();
        int pos = 0;
        for (byte[][] args; (args = parser.parse(buf, pos, buf.length)) != null; pos = parser.next()) {
            requests.add(words(args));
        }
        return requests;
    }

    @Test
    void multibulkRequestIsParsedWithBinarySafeArguments() throws Exception {
        assertThat(parseAll("*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$0\r\n\r\n"))
            .containsExactly(List.of("SET", "a\r\nb", ""));
    }

    @Test
    void aPipelinedBatchIsParsedInOrder() throws Exception {
        String ping = "*1\r\n$4\r\nPING\r\n";
        String get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        assertThat(parseAll(ping + get + "ECHO x\r\n" + ping)).containsExactly(List.of("PING"), List.of("GET", "k"),
                List.of("ECHO", "x"), List.of("PING"));
    }

    @Test
    void everyPrefixOfAFrameIsIncompleteAndConsumesNothing() throws Exception {
        byte[] frame = bytes("*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n");
        for (int end = 0; end < frame.length; end++) {
            assertThat(parser.parse(frame, 0, end)).as("prefix of %d bytes", end).isNull();
            assertThat(parser.required()).as("prefix of %d bytes", end).isGreaterThan(end);
        }
        assertThat(words(parser.parse(frame, 0, frame.length))).containsExactly("ECHO", "hello world");
        assertThat(parser.next()).isEqualTo(frame.length);
    }

    @Test
    void anIncompleteBulkSaysHowManyBytesTheWholeFrameNeeds() throws Exception {
        byte[] head = bytes("*2\r\n$3\r\nSET\r\n$100\r\nabc");
        assertThat(parser.parse(head, 0, head.length)).isNull();
        assertThat(parser.required()).isEqualTo(head.length - 3 + 100 + 2);
    }

    @Test
    void inlineCommandsAreSplitOnBlanksWithOrWithoutCr() throws Exception {
        assertThat(parseAll("SET  k\tv\r\nPING\n")).containsExactly(List.of("SET", "k", "v"), List.of("PING"));
    }

    @Test
    void emptyRequestsAreSkipped() throws Exception {
        byte[][] empty = parser.parse(bytes("*0\r\n"), 0, 4);
        assertThat(empty).isSameAs(RespParser.EMPTY);
        assertThat(parser.next()).isEqualTo(4);
        assertThat(parser.parse(bytes("\r\n"), 0, 2)).isEmpty();
        assertThat(parser.parse(bytes("*-1\r\n"), 0, 5)).isEmpty();
    }

    @Test
    void aBadTypeByteInsideAnArrayIsAProtocolError() {
        assertProtocolError("*1\r\n+PING\r\n", "expected '$', got '+'");
        assertProtocolError("*1\r\n\u0001PING\r\n", "expected '$', got '\\x01'");
    }

    @Test
    void negativeHugeOrNonNumericBulkLengthsAreProtocolErrors() {
        assertProtocolError("*1\r\n$-1\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$1025\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$99999999999999999999999\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$x\r\n", "invalid bulk length");
        assertProtocolError("*1\r\n$\r\n", "invalid bulk length");
    }

    @Test
    void hugeOrNonNumericArrayLengthsAreProtocolErrors() {
        assertProtocolError("*1048577\r\n", "invalid multibulk length");
        assertProtocolError("*9223372036854775807\r\n", "invalid multibulk length");
        assertProtocolError("*abc\r\n", "invalid multibulk length");
    }

    @Test
    void aBulkNotFollowedByCrlfIsAProtocolError() {
        assertProtocolError("*1\r\n$4\r\nPINGxx", "expected CRLF after a bulk string of 4 bytes");
    }

    @Test
    void linesWithoutEndBeyondTheInlineLimitAreProtocolErrors() {
        String longLine = "x".repeat(RespParser.MAX_INLINE_SIZE + 1);
        assertProtocolError(longLine, "too big inline request");
        assertProtocolError("*" + "1".repeat(RespParser.MAX_INLINE_SIZE + 1), "too big mbulk count string");
        assertProtocolError("*1\r\n$" + "1".repeat(RespParser.MAX_INLINE_SIZE + 1), "too big bulk count string");
    }

    @Test
    void aNonPositiveBulkLimitIsRejectedNamingTheArgument() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RespParser(0))
            .withMessage("maxBulkLength must be between 1 and 2147483647, got 0");
    }

    private void assertProtocolError(String input, String message) {
        byte[] buf = bytes(input);
        assertThatThrownBy(() -> parser.parse(buf, 0, buf.length)).isInstanceOf(RespProtocolException.class)
            .hasMessage(message);
    }

}

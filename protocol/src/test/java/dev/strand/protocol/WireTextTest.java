package dev.strand.protocol;

import dev.strand.protocol.error.BadNameException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.ErrorBody;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Symlink;
import dev.strand.protocol.message.Walk;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Text and structure the decoder refuses before any of it reaches the server's state. */
class WireTextTest {

    private static final Fid DIR = new Fid(7, 1, 1);
    /** A lone surrogate (U+D800) as Java's modified UTF-8 writes it: not UTF-8. */
    private static final byte[] LONE_SURROGATE = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
    private static final String MARK = "\uE000"; // three UTF-8 bytes, replaced by the bytes under test

    private static byte[] withRawBytes(Object message, byte[] raw) throws Exception {
        byte[] body = WireCodec.mapper().writeValueAsBytes(message);
        byte[] mark = MARK.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 3 <= body.length; i++) {
            if (Arrays.equals(body, i, i + 3, mark, 0, 3)) {
                System.arraycopy(raw, 0, body, i, 3);
            }
        }
        return body;
    }

    @Test
    void textThatIsNotUtf8InANameFieldIsABadName() throws Exception {
        assertThatThrownBy(() -> WireCodec.decode(withRawBytes(new Create(DIR, "a" + MARK, 0644, true),
                LONE_SURROGATE), Create.class)).isInstanceOf(BadNameException.class);
        assertThatThrownBy(() -> WireCodec.decode(withRawBytes(new Rename(DIR, "a", DIR, MARK), LONE_SURROGATE),
                Rename.class)).isInstanceOf(BadNameException.class).hasMessageContaining("toName");
        assertThatThrownBy(() -> WireCodec.decode(withRawBytes(new Walk(DIR, List.of("a", MARK)), LONE_SURROGATE),
                Walk.class)).isInstanceOf(BadNameException.class);
    }

    @Test
    void textThatIsNotUtf8ElsewhereIsABadRequest() throws Exception {
        assertThatThrownBy(() -> WireCodec.decode(withRawBytes(new Symlink(DIR, "l", MARK), LONE_SURROGATE),
                Symlink.class)).isInstanceOf(BadRequestException.class).hasMessageContaining("target");
        // an unknown field is checked too: whatever is in a body was read
        byte[] unknown = withRawBytes(java.util.Map.of("nonce", 1, "extra", MARK), LONE_SURROGATE);
        assertThatThrownBy(() -> WireCodec.decode(unknown, Ping.class)).isInstanceOf(BadRequestException.class);
    }

    @Test
    void everyFormOfInvalidUtf8IsRefusedNotRepaired() throws Exception {
        byte[][] invalid = {
                {(byte) 0xED, (byte) 0xB0, (byte) 0x80}, // lone low surrogate
                {(byte) 0xC0, (byte) 0xAF, 0x41},        // overlong '/'
                {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // overlong NUL
                {(byte) 0xF8, (byte) 0x88, (byte) 0x80}, // no such lead byte
                {0x41, (byte) 0x80, 0x41},               // a stray continuation byte
        };
        for (byte[] bytes : invalid) {
            assertThatThrownBy(() -> WireCodec.decode(withRawBytes(new Create(DIR, MARK, 0644, true), bytes),
                    Create.class)).isInstanceOf(BadNameException.class);
        }
    }

    @Test
    void anIndefiniteLengthNameIsCheckedChunkByChunk() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0xA2);
        body.writeBytes(new byte[]{0x64, 'n', 'a', 'm', 'e', 0x7F, 0x61, 'a', 0x63});
        body.writeBytes(LONE_SURROGATE);
        body.write(0xFF);
        body.writeBytes(new byte[]{0x63, 'd', 'i', 'r', (byte) 0x83, 7, 1, 1});
        assertThatThrownBy(() -> WireCodec.decode(body.toByteArray(), Create.class)).isInstanceOf(BadNameException.class);
    }

    @Test
    void aMegabyteOfNestedTagsIsRefusedQuickly() {
        byte[] tags = new byte[ProtocolLimits.MAX_BODY_LENGTH];
        Arrays.fill(tags, (byte) 0xC6); // tag 6, then another, then another...
        byte[] arrays = new byte[ProtocolLimits.MAX_BODY_LENGTH];
        Arrays.fill(arrays, (byte) 0x81); // an array of one array of one array...
        // seconds of Jackson's time before; a bound far above the microseconds it takes now
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertThatThrownBy(() -> WireCodec.decode(tags, Ping.class))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("nest");
            assertThatThrownBy(() -> WireCodec.decode(arrays, Ping.class))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("nest");
        });
    }

    @Test
    void tagsAndNestingWithinTheLimitAreAccepted() {
        // a self-described CBOR tag (55799) in front of the body, as RFC 8949 allows
        byte[] body = {(byte) 0xD9, (byte) 0xD9, (byte) 0xF7, (byte) 0xA1, 0x65, 'n', 'o', 'n', 'c', 'e', 0x05};
        assertThat(WireCodec.decode(body, Ping.class)).isEqualTo(new Ping(5));
    }

    @Test
    void anErrorMessageEchoingAnyTextCanBeEncoded() {
        String lone = "bad name 'a\uD800b'";
        ErrorBody error = new ErrorBody(35, "BAD_NAME", lone);
        ErrorBody sent = WireCodec.decode(WireCodec.encode(error), ErrorBody.class);
        assertThat(sent.message()).isEqualTo("bad name 'a\uFFFDb'");

        String huge = "\uD83D\uDE00".repeat(ProtocolLimits.MAX_BODY_LENGTH); // emoji: surrogate pairs
        ErrorBody cut = new ErrorBody(35, "BAD_NAME", huge);
        assertThat(cut.message().length()).isLessThanOrEqualTo(ProtocolLimits.MAX_ERROR_MESSAGE_CHARS);
        assertThat(WireCodec.encode(cut).length).isLessThan(ProtocolLimits.MAX_BODY_LENGTH);
        assertThat(cut.message()).endsWith("\uD83D\uDE00\u2026");
    }
}

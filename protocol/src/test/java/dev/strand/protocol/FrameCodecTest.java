package dev.strand.protocol;

import dev.strand.protocol.error.BadFrameException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameCodecTest {

    @Test
    void aFrameSurvivesEncodeAndRead() throws Exception {
        Frame sent = Frame.request(Opcode.GET_ATTR, 42L, new byte[]{1, 2, 3});
        Frame got = FrameCodec.read(new ByteArrayInputStream(FrameCodec.encode(sent)));
        assertThat(got.type()).isEqualTo(FrameType.REQUEST);
        assertThat(got.opcode()).isEqualTo(Opcode.GET_ATTR.code());
        assertThat(got.requestId()).isEqualTo(42L);
        assertThat(got.body()).containsExactly(1, 2, 3);
    }

    @Test
    void aLengthAboveTheLimitIsRefusedBeforeAllocating() {
        byte[] bytes = ByteBuffer.allocate(4).putInt(ProtocolLimits.MAX_FRAME_LENGTH + 1).array();
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(BadFrameException.class).hasMessageContaining("outside");
    }

    @Test
    void aLengthShorterThanTheHeaderIsRefused() {
        byte[] bytes = ByteBuffer.allocate(8).putInt(3).array();
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(BadFrameException.class);
    }

    @Test
    void anUnknownFrameTypeIsRefused() {
        byte[] bytes = FrameCodec.encode(Frame.request(Opcode.PING, 1, new byte[0]));
        bytes[4] = 99;
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(BadFrameException.class).hasMessageContaining("unknown frame type 99");
    }

    @Test
    void aTruncatedFrameIsAnEndOfStream() {
        byte[] whole = FrameCodec.encode(Frame.request(Opcode.PING, 1, new byte[10]));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(cut))).isInstanceOf(EOFException.class);
    }

    @Test
    void aBodyOverTheLimitCannotBeEncoded() {
        assertThatThrownBy(() -> FrameCodec.encode(Frame.data(41, 1, new byte[ProtocolLimits.MAX_BODY_LENGTH + 1])))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.strand.actors.connection;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameDecoderTest {

    private static ByteString bytes(Frame frame) {
        return ByteString.fromArray(FrameCodec.encode(frame));
    }

    @Test
    void framesSplitAnywhereAcrossReadsAreReassembled() {
        ByteString stream = bytes(Frame.request(Opcode.PING, 1, new byte[]{1, 2, 3}))
                .concat(bytes(Frame.data(Opcode.STORE.code(), 2, new byte[1000])));
        FrameDecoder decoder = new FrameDecoder();
        List<ConnectionActor.Inbound> out = new ArrayList<>();
        for (int i = 0; i < stream.size(); i += 7) {
            out.addAll(decoder.feed(stream.slice(i, Math.min(stream.size(), i + 7))));
        }
        assertThat(out).hasSize(2).allMatch(e -> e instanceof ConnectionActor.Inbound.Decoded);
        assertThat(((ConnectionActor.Inbound.Decoded) out.get(1)).frame().body()).hasSize(1000);
    }

    @Test
    void anOversizeLengthIsMalformedBeforeItsBytesArrive() {
        FrameDecoder decoder = new FrameDecoder();
        List<ConnectionActor.Inbound> out = decoder.feed(ByteString.fromArray(
                ByteBuffer.allocate(4).putInt(ProtocolLimits.MAX_FRAME_LENGTH + 1).array()));
        assertThat(out).singleElement().isInstanceOf(ConnectionActor.Inbound.Malformed.class);
    }

    @Test
    void afterAFramingErrorEverythingIsIgnored() {
        FrameDecoder decoder = new FrameDecoder();
        decoder.feed(ByteString.fromArray(new byte[]{0, 0, 0, 1, 0}));
        assertThat(decoder.feed(bytes(Frame.request(Opcode.PING, 1, new byte[0])))).isEmpty();
    }

    @Test
    void anUnknownFrameTypeIsMalformed() {
        byte[] frame = FrameCodec.encode(Frame.request(Opcode.PING, 1, new byte[0]));
        frame[4] = 77;
        assertThat(new FrameDecoder().feed(ByteString.fromArray(frame)))
                .singleElement().isInstanceOf(ConnectionActor.Inbound.Malformed.class);
    }

    @Test
    void aFrameStillIncompleteAfterTheFrameTimeoutIsMalformedWhileOneThatKeepsUpIsNot() {
        long[] now = {0};
        FrameDecoder decoder = new FrameDecoder(Duration.ofSeconds(60), () -> now[0]);
        ByteString ping = bytes(Frame.request(Opcode.PING, 1, new byte[]{1, 2, 3}));
        // frames whose bytes keep coming are fine, however long the connection lives
        for (int i = 0; i < 10; i++) {
            now[0] += Duration.ofSeconds(50).toNanos();
            assertThat(decoder.feed(ping)).singleElement().isInstanceOf(ConnectionActor.Inbound.Decoded.class);
        }
        decoder.feed(ping.take(5));
        now[0] += Duration.ofSeconds(59).toNanos();
        assertThat(decoder.feed(ByteString.emptyByteString())).as("within the timeout").isEmpty();
        now[0] += Duration.ofSeconds(2).toNanos();
        assertThat(decoder.feed(ByteString.emptyByteString())).singleElement()
                .isInstanceOf(ConnectionActor.Inbound.Malformed.class);
    }

    @Test
    void timeTheServerSpendsNotReadingDoesNotCountAgainstAFrame() {
        long[] now = {0};
        FrameDecoder decoder = new FrameDecoder(Duration.ofSeconds(60), () -> now[0]);
        ByteString ping = bytes(Frame.request(Opcode.PING, 1, new byte[]{1, 2, 3}));
        // one read: a whole frame and the start of the next, sent together
        assertThat(decoder.feed(ping.concat(ping.take(5)))).singleElement()
                .isInstanceOf(ConnectionActor.Inbound.Decoded.class);
        // the connection then pauses reading (its outbox is full, or its in-flight limit reached) for 5 minutes;
        // the decoder is fed again only when it resumes: the rest of the frame is then still on its way
        now[0] += Duration.ofMinutes(5).toNanos();
        assertThat(decoder.feed(ByteString.emptyByteString())).as("the pause is not the client's").isEmpty();
        now[0] += Duration.ofSeconds(59).toNanos();
        assertThat(decoder.feed(ping.drop(5).take(2))).isEmpty();
        now[0] += Duration.ofSeconds(2).toNanos();
        assertThat(decoder.feed(ByteString.emptyByteString())).as("then the frame timeout counts")
                .singleElement().isInstanceOf(ConnectionActor.Inbound.Malformed.class);
    }
}

package dev.strand.it.protocol;

import dev.strand.it.server.SharedStrandServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a misbehaving client gets: framing errors close only its own connection, request-level errors are typed
 * and leave the connection open, and other clients carry on.
 */
class MalformedInputIT {
    private static int port;

    @BeforeAll
    static void server() {
        port = SharedStrandServer.port();
    }

    @Test
    void anOversizeFrameGetsBadFrameAndClosesOnlyThatConnection() throws IOException {
        try (RawConnection bystander = new RawConnection(port).greet();
             RawConnection offender = new RawConnection(port).greet()) {
            offender.sendBytes(ByteBuffer.allocate(4).putInt(ProtocolLimits.MAX_FRAME_LENGTH + 1).array());
            Frame error = offender.read();
            assertThat(error.type()).isEqualTo(FrameType.ERROR);
            assertThat(WireCodec.decodeError(error.body()).status()).isEqualTo(Status.BAD_FRAME);
            assertThat(offender.read()).as("connection closed after the framing error").isNull();

            bystander.request(7, new Ping(99));
            Frame pong = bystander.read();
            assertThat(WireCodec.decode(pong.body(), Pong.class).nonce()).isEqualTo(99);
        }
    }

    @Test
    void aFrameShorterThanItsHeaderIsAFramingError() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            c.sendBytes(new byte[]{0, 0, 0, 2, 1, 0});
            Frame error = c.read();
            assertThat(WireCodec.decodeError(error.body()).status()).isEqualTo(Status.BAD_FRAME);
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void anUnknownFrameTypeIsAFramingError() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            byte[] bytes = dev.strand.protocol.FrameCodec.encode(Frame.request(Opcode.PING, 3, new byte[0]));
            bytes[4] = 42;
            c.sendBytes(bytes);
            assertThat(WireCodec.decodeError(c.read().body()).status()).isEqualTo(Status.BAD_FRAME);
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void anUnknownOpcodeIsRefusedAndTheConnectionStaysOpen() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            c.send(new Frame(FrameType.REQUEST, 0, 999, 5, new byte[0]));
            Frame error = c.read();
            assertThat(error.requestId()).isEqualTo(5);
            assertThat(WireCodec.decodeError(error.body()).status()).isEqualTo(Status.UNKNOWN_OPCODE);
            c.request(6, new Ping(1));
            assertThat(c.read().type()).isEqualTo(FrameType.REPLY);
        }
    }

    @Test
    void aMalformedBodyIsABadRequestAndTheConnectionStaysOpen() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            c.send(Frame.request(Opcode.GET_ATTR, 8, new byte[]{(byte) 0xff, 0x13, 0x00}));
            Frame error = c.read();
            assertThat(WireCodec.decodeError(error.body()).status()).isEqualTo(Status.BAD_REQUEST);
            c.request(9, new Ping(2));
            assertThat(c.read().type()).isEqualTo(FrameType.REPLY);
        }
    }

    /**
     * A name holding a lone surrogate (bytes ED A0 80) used to reach the journal, which could not persist it: the
     * request answered UNAVAILABLE after seconds and the volume was unavailable for up to a minute.
     */
    @Test
    void aNameThatIsNotUtf8IsABadNameAndTheVolumeKeepsServing() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            c.request(2, new VolumeCreate("malformed-utf8", 1));
            Fid root = WireCodec.decode(c.read().body(), VolumeInfo.class).root();
            byte[] body = WireCodec.encode(new MkDir(root, "a\uE000b", 0755)); // U+E000: EE 80 80
            for (int i = 0; i + 3 <= body.length; i++) {
                if (body[i] == (byte) 0xEE && body[i + 1] == (byte) 0x80 && body[i + 2] == (byte) 0x80) {
                    body[i] = (byte) 0xED;
                    body[i + 1] = (byte) 0xA0;
                }
            }
            c.send(Frame.request(Opcode.MKDIR, 3, body));
            Frame error = c.read();
            assertThat(WireCodec.decodeError(error.body()).status()).isEqualTo(Status.BAD_NAME);

            c.request(4, new MkDir(root, "ok", 0755));
            Frame made = c.read();
            assertThat(made.type()).isEqualTo(FrameType.REPLY);
            assertThat(WireCodec.decode(made.body(), Attr.class).type()).isEqualTo(FileType.DIRECTORY);
        }
    }

    @Test
    void aRequestBeforeTheGreetingIsRefused() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.request(1, new VolumeList());
            assertThat(WireCodec.decodeError(c.read().body()).status()).isEqualTo(Status.GREETING_REQUIRED);
        }
    }

    @Test
    void aGreetingForAnotherClusterIsRefusedAndTheConnectionCloses() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.request(1, new Hello(ProtocolLimits.PROTOCOL_VERSION, "elsewhere", "t", "t", "none", null));
            assertThat(WireCodec.decodeError(c.read().body()).status()).isEqualTo(Status.WRONG_CLUSTER);
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void aGreetingWithAnotherProtocolVersionIsRefused() throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            c.request(1, new Hello(99, "strand", "t", "t", "none", null));
            assertThat(WireCodec.decodeError(c.read().body()).status()).isEqualTo(Status.PROTOCOL_VERSION_MISMATCH);
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void aReusedRequestIdInFlightIsRefusedAndTheConnectionCloses() throws IOException {
        dev.strand.protocol.message.Fid file;
        try (var client = dev.strand.client.BlockingStrandClient.connect(dev.strand.client.ClientSettings.of(
                dev.strand.client.ServerAddress.parse(SharedStrandServer.address())))) {
            String volume = SharedStrandServer.uniqueVolumeName("dup");
            client.volumeCreate(volume, 1);
            file = client.createFile("/" + volume + "/f", 0644, false).fid();
        }
        try (RawConnection bystander = new RawConnection(port).greet();
             RawConnection c = new RawConnection(port).greet()) {
            // a STORE of a real file stays in flight until its DATA_END, so its id stays taken
            c.request(11, new dev.strand.protocol.message.Store(file, 10));
            c.request(11, new Ping(3));
            boolean sawDuplicate = false;
            for (Frame f = c.read(); f != null; f = c.read()) {
                sawDuplicate |= f.type() == FrameType.ERROR
                        && WireCodec.decodeError(f.body()).status() == Status.DUPLICATE_REQUEST_ID;
            }
            assertThat(sawDuplicate).isTrue();
            bystander.request(4, new Ping(4));
            assertThat(bystander.read().type()).isEqualTo(FrameType.REPLY);
        }
    }

    @Test
    void manyRequestsInFlightOnOneConnectionAreAllAnswered() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            int n = 200;
            for (int i = 0; i < n; i++) {
                c.request(1000 + i, new Ping(i));
            }
            java.util.Set<Long> answered = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                Frame reply = c.read();
                assertThat(reply.type()).isEqualTo(FrameType.REPLY);
                assertThat(WireCodec.decode(reply.body(), Pong.class).nonce()).isEqualTo(reply.requestId() - 1000);
                answered.add(reply.requestId());
            }
            assertThat(answered).hasSize(n);
        }
    }

    @Test
    void farewellIsAnsweredAndThenTheServerCloses() throws IOException {
        try (RawConnection c = new RawConnection(port).greet()) {
            c.request(2, new dev.strand.protocol.message.Farewell());
            assertThat(c.read().type()).isEqualTo(FrameType.REPLY);
            assertThat(c.read()).isNull();
        }
    }
}

package dev.strand.protocol;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import dev.strand.protocol.error.BadNameException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Put;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PutCodecTest {

    private static final Fid DIR = new Fid(7, 12, 3);

    @Test
    void aPutWithTheLargestContentsRoundTripsInOneFrame() throws IOException {
        byte[] data = new byte[ProtocolLimits.MAX_PUT_BYTES];
        data[0] = 1;
        data[data.length - 1] = 2;
        Put put = new Put(DIR, "f.txt", 0640, data);
        byte[] body = WireCodec.encode(put);
        assertThat(body.length).isLessThan(ProtocolLimits.MAX_BODY_LENGTH / 2);
        Frame frame = FrameCodec.read(new java.io.ByteArrayInputStream(FrameCodec.encode(Frame.request(Opcode.PUT, 9, body))));
        assertThat(Opcode.fromCode(frame.opcode())).isEqualTo(Opcode.PUT);
        Put back = (Put) WireCodec.decode(frame.body(), Opcode.PUT.requestType());
        assertThat(back).isEqualTo(put);
        assertThat(back.length()).isEqualTo(ProtocolLimits.MAX_PUT_BYTES);
        assertThat(Opcode.PUT.code()).isEqualTo(42);
    }

    @Test
    void absentDataIsAnEmptyFile() {
        Put back = WireCodec.decode(WireCodec.encode(new Put(DIR, "e", 0644, null)), Put.class);
        assertThat(back.length()).isZero();
    }

    @Test
    void dataThatIsNotABytesStringIsABadRequest() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", "f");
            g.writeFieldName("data");
            g.writeStartObject(); // a map where bytes belong
            g.writeEndObject();
            g.writeEndObject();
        }
        assertThatThrownBy(() -> WireCodec.decode(out.toByteArray(), Put.class))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("Put");
    }

    @Test
    void aTruncatedBodyIsABadRequest() {
        byte[] body = WireCodec.encode(new Put(DIR, "f", 0644, new byte[100]));
        byte[] cut = java.util.Arrays.copyOf(body, body.length - 10);
        assertThatThrownBy(() -> WireCodec.decode(cut, Put.class)).isInstanceOf(BadRequestException.class);
    }

    @Test
    void aNameThatIsNotUtf8IsABadName() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xA1); // map of one pair
        out.write(0x64); // text of 4 bytes: "name"
        out.write("name".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(0x61); // text of 1 byte, not UTF-8
        out.write(0xFF);
        assertThatThrownBy(() -> WireCodec.decode(out.toByteArray(), Put.class)).isInstanceOf(BadNameException.class);
    }
}

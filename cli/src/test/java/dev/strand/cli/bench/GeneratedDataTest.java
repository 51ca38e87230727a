package dev.strand.cli.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratedDataTest {

    private static byte[] readAll(GeneratedData data) throws IOException {
        try (InputStream in = Channels.newInputStream(data)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    @Test
    void producesExactlyTheRequestedLengthAcrossPatternRepeats() throws IOException {
        long length = 3L * (1 << 20) + 5;
        assertThat(readAll(new GeneratedData(length, 1))).hasSize((int) length);
    }

    @Test
    void theSameSeedGivesTheSameBytes() throws IOException {
        assertThat(readAll(new GeneratedData(5000, 9))).isEqualTo(readAll(new GeneratedData(5000, 9)));
    }
}

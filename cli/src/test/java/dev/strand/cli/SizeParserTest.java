package dev.strand.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizeParserTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "100, 100",
            "512k, 524288",
            "10m, 10485760",
            "10M, 10485760",
            "10MB, 10485760",
            "10MiB, 10485760",
            "1g, 1073741824",
            "1.5g, 1610612736",
            "2t, 2199023255552"})
    void sizesUseBinarySuffixes(String text, long bytes) {
        assertThat(SizeParser.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1x", "g", "1.3k", "0.5", "99999999999t", "10 ib"})
    void anythingElseIsRefused(String text) {
        assertThatThrownBy(() -> SizeParser.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}

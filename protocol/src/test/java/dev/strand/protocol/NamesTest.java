package dev.strand.protocol;

import dev.strand.protocol.error.BadNameException;
import dev.strand.protocol.error.BadVolumeNameException;
import dev.strand.protocol.error.NameTooLongException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/", "nul\0byte"})
    void badEntryNamesAreRefused(String name) {
        assertThatThrownBy(() -> Names.checkEntryName(name)).isInstanceOf(BadNameException.class);
    }

    @Test
    void aNameOf255BytesIsFineAnd256IsTooLong() {
        assertThat(Names.checkEntryName("a".repeat(255))).hasSize(255);
        assertThatThrownBy(() -> Names.checkEntryName("a".repeat(256))).isInstanceOf(NameTooLongException.class);
        // 128 two-byte characters are 256 bytes
        assertThatThrownBy(() -> Names.checkEntryName("é".repeat(128))).isInstanceOf(NameTooLongException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "-x", "a b", "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void badVolumeNamesAreRefused(String name) {
        assertThatThrownBy(() -> Names.checkVolumeName(name)).isInstanceOf(BadVolumeNameException.class);
    }

    @Test
    void entriesAreOrderedByCodePointLikeTheirUtf8Bytes() {
        String bmpHigh = "\uFF21";          // FULLWIDTH A, U+FF21
        String supplementary = "\uD83D\uDE00"; // U+1F600, above every BMP character
        assertThat(Names.ENTRY_ORDER.compare(bmpHigh, supplementary)).isNegative();
        assertThat(bmpHigh.compareTo(supplementary)).as("Java's own order differs here").isPositive();
        assertThat(Names.ENTRY_ORDER.compare("a", "ab")).isNegative();
        assertThat(Names.ENTRY_ORDER.compare("b", "ab")).isPositive();
        assertThat(Names.ENTRY_ORDER.compare("same", "same")).isZero();
    }
}

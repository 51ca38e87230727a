package dev.strand.cli;

import dev.strand.protocol.message.FileType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class FormatsTest {

    @ParameterizedTest
    @CsvSource({
            "DIRECTORY, 0755, drwxr-xr-x",
            "FILE, 0644, -rw-r--r--",
            "SYMLINK, 0777, lrwxrwxrwx",
            "FILE, 0, ----------",
            "FILE, 04755, -rwsr-xr-x",
            "FILE, 04644, -rwSr--r--",
            "FILE, 02750, -rwxr-s---",
            "DIRECTORY, 01777, drwxrwxrwt",
            "DIRECTORY, 01776, drwxrwxrwT"})
    void modeStringsReadAsLsShowsThem(FileType type, String octalMode, String expected) {
        assertThat(Formats.modeString(type, Integer.parseInt(octalMode, 8))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"420, 0644", "493, 0755", "4095, 7777", "0, 0000"})
    void octalModesHaveFourDigits(int mode, String expected) {
        assertThat(Formats.octal(mode)).isEqualTo(expected);
    }
}

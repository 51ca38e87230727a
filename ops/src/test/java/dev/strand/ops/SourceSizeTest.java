package dev.strand.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No production source file grows past {@value #MAX_LINES} lines: a class that large holds more than one
 * responsibility, and a newcomer should find each actor's protocol and each rule in a file read in one sitting.
 * A file that must grow is split along what it does (see docs/architecture.md for the pattern).
 */
class SourceSizeTest {

    private static final int MAX_LINES = 500;

    @Test
    void noProductionSourceFileIsLongerThanTheLimit() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> tooLong;
        try (Stream<Path> modules = Files.list(root)) {
            tooLong = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory)
                    .flatMap(SourceSizeTest::javaFiles)
                    .filter(f -> lines(f) > MAX_LINES)
                    .map(f -> root.relativize(f) + " (" + lines(f) + " lines)")
                    .toList();
        }
        assertThat(tooLong).as("production sources over %d lines", MAX_LINES).isEmpty();
    }

    @Test
    void theCheckSeesTheSources() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("actors/src/main/java")).isDirectory();
        try (Stream<Path> files = javaFiles(root.resolve("actors/src/main/java"))) {
            assertThat(files.count()).isGreaterThan(20);
        }
    }

    private static Stream<Path> javaFiles(Path dir) {
        try {
            return Files.walk(dir).filter(f -> f.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

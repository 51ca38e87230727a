package dev.strand.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static dev.strand.cli.CommandParsingTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandParsingTest {

    @Test
    void benchHasTheDocumentedDefaults() {
        BenchCommand bench = parse(BenchCommand.class, "bench");
        assertThat(bench.clients).containsExactly(1, 8);
        assertThat(bench.files).isEqualTo(10000);
        assertThat(bench.size).isEqualTo(1L << 30);
        assertThat(bench.volume).isEqualTo("bench");
        assertThat(bench.out).isEqualTo(Path.of("bench-results.json"));
        assertThat(bench.json).isFalse();
    }

    @Test
    void benchReadsClientCountsFilesAndSize() {
        BenchCommand bench = parse(BenchCommand.class, "bench", "--clients", "2,4", "--files", "50", "--size", "64m");
        assertThat(bench.clients).isEqualTo(List.of(2, 4));
        assertThat(bench.files).isEqualTo(50);
        assertThat(bench.size).isEqualTo(64L << 20);
    }
}

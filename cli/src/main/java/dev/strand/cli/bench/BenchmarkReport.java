package dev.strand.cli.bench;

import java.util.List;

/** What {@code strand bench} writes to its JSON file. */
public record BenchmarkReport(String server, String volume, int files, long sizeBytes, int depth, int smallFiles,
                              int smallFileBytes, String startedAt, String finishedAt, List<PhaseResult> results) {

    public long errors() {
        return results.stream().mapToLong(PhaseResult::errors).sum();
    }
}

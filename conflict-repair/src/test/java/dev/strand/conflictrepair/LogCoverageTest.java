package dev.strand.conflictrepair;

import dev.strand.replication.VersionVector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogCoverageTest {

    private static VersionVector vv(long... slots) {
        VersionVector v = VersionVector.ofSize(slots.length);
        for (int s = 0; s < slots.length; s++) {
            for (long n = 0; n < slots[s]; n++) {
                v = v.increment(s);
            }
        }
        return v;
    }

    @Test
    void leadsThatTheLogsHoldCanBeMergedByLog() {
        assertThat(LogCoverage.unexplained(List.of(vv(3, 1), vv(1, 2)), List.of(2, 1))).isNull();
    }

    @Test
    void aChangeTheLogNeverSawNeedsAFullComparison() {
        assertThat(LogCoverage.unexplained(List.of(vv(1, 1), vv(1, 2)), List.of(0, 0)))
                .contains("replica 1 is 1 changes ahead of replica 0");
    }
}

package dev.strand.cli;

import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Fid;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code strand volume info}'s replica table and JSON: each replica's resolution-log size and conflicts. */
class VolumeInfoTableTest {

    private static final List<ReplicaInfo> GROUP = List.of(
            new ReplicaInfo(0, "7.0", "127.0.0.1:7411", true, List.of(5L, 5L, 3L), 0, "current", 17, 0),
            new ReplicaInfo(1, "7.1", "127.0.0.1:7412", true, List.of(5L, 5L, 3L), 2, "current", 0, 0),
            new ReplicaInfo(2, "7.2", null, false, null, -1, "unavailable", -1, -1),
            new ReplicaInfo(3, "7.3", "127.0.0.1:7414", true, List.of(5L, 5L, 3L), 0, "current")); // older server

    @Test
    void theTableShowsEachReplicasResolutionLogAndConflicts() {
        StringWriter text = new StringWriter();
        VolumeInfoCommand.printReplicas(new PrintWriter(text, true), GROUP);
        List<String> lines = text.toString().lines().toList();

        assertThat(lines.get(0)).contains("RES LOG").endsWith("CONFLICTS");
        assertThat(lines.get(1).split("\\s+")).endsWith("0", "17", "0");
        assertThat(lines.get(2).split("\\s+")).endsWith("2", "0", "0");
        assertThat(lines.get(3).split("\\s+")).endsWith("-", "-", "-");
        assertThat(lines.get(4).split("\\s+")).endsWith("0", "-", "-");
    }

    @Test
    void theJsonCarriesThem() {
        VolumeInfo info = new VolumeInfo("docs", 7, Fid.root(7), 4, 1, 0, 1, 0, 0, List.of(5L, 5L, 3L), "1", GROUP);

        assertThat(VolumeView.of(info).replicaGroup()).extracting(VolumeView.ReplicaView::resolutionLogEntries)
                .containsExactly(17, 0, -1, null);
    }
}

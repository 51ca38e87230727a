package dev.strand.cli;

import dev.strand.protocol.message.RepairCheckReply;
import dev.strand.protocol.message.ReplicaInfo;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code strand repair check}'s table, its last line and its JSON. */
class RepairCheckOutputTest {

    private static final RepairCheckReply FOUND = new RepairCheckReply("docs", List.of(
            new ReplicaInfo(0, "7.0", "n1", true, List.of(3L, 2L), 1, "diverged", 1, 0),
            new ReplicaInfo(1, "7.1", "n2", true, List.of(2L, 3L), 1, "diverged", 1, 0)),
            List.of("resolution of replicas [0, 1]"));

    @Test
    void theTableShowsEachReplicaAndWhatWasStarted() {
        StringWriter text = new StringWriter();
        RepairCheckCommand.print(new PrintWriter(text, true), FOUND);
        List<String> lines = text.toString().lines().toList();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).contains("diverged").contains("[3, 2]");
        assertThat(lines.get(3)).isEqualTo("Started: resolution of replicas [0, 1]");
    }

    @Test
    void nothingStartedSaysSo() {
        StringWriter text = new StringWriter();
        RepairCheckCommand.print(new PrintWriter(text, true), new RepairCheckReply("docs", FOUND.replicas(), List.of()));
        assertThat(text.toString().lines().toList().get(3)).startsWith("Started: nothing");
    }

    @Test
    void theJsonCarriesReplicasAndStarted() {
        RepairCheckCommand.CheckView view = RepairCheckCommand.CheckView.of(FOUND);
        assertThat(view.volume()).isEqualTo("docs");
        assertThat(view.replicas()).extracting(VolumeView.ReplicaView::state).containsExactly("diverged", "diverged");
        assertThat(view.started()).containsExactly("resolution of replicas [0, 1]");
    }
}

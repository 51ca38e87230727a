package dev.strand.it.management;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.server.StrandProcess;
import dev.strand.it.support.SharedCassandra;
import dev.strand.ops.management.ManagementProbe;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A real server process, seen the way an operator sees it: its /ready and its /metrics. */
class ManagementIT {

    @Test
    void aServerProcessBecomesReadyAndCountsRequestsByOpcode() throws Exception {
        try (StrandProcess server = new StrandProcess(SharedCassandra.uniqueKeyspace("management"))) {
            server.start(); // returns once /ready answers 200
            ManagementProbe management = server.management();
            assertThat(management.readiness()).isEqualTo(ManagementProbe.Readiness.READY);
            assertThat(management.membership()).hasValueSatisfying(view ->
                    assertThat(view).endsWith(" Up (unreachable: none)"));

            try (BlockingStrandClient client = BlockingStrandClient.connect(
                    ClientSettings.of(new ServerAddress("127.0.0.1", server.port())))) {
                client.volumeCreate("seen", 1);
                client.mkdir("/seen/a");
                client.mkdir("/seen/b");
                client.mkdir("/seen/c");
                client.createFile("/seen/a/f", 0644, true);
                assertThat(client.stat("/seen/a/f").size()).isZero();
                try {
                    client.mkdir("/seen/a"); // EXISTS: answered with an ERROR
                } catch (RuntimeException expected) {
                    // counted as an error below
                }

                String metrics = management.metrics();
                assertThat(sample(metrics, "strand_requests_seconds_count", "opcode=\"MKDIR\",outcome=\"ok\""))
                        .isEqualTo(3);
                assertThat(sample(metrics, "strand_requests_seconds_count", "opcode=\"MKDIR\",outcome=\"error\""))
                        .isEqualTo(1);
                assertThat(sample(metrics, "strand_requests_seconds_count", "opcode=\"CREATE\",outcome=\"ok\""))
                        .isEqualTo(1);
                assertThat(sample(metrics, "strand_requests_seconds_count", "opcode=\"VOLUME_CREATE\",outcome=\"ok\""))
                        .isEqualTo(1);
                assertThat(sample(metrics, "strand_requests_seconds_count", "opcode=\"HELLO\",outcome=\"ok\""))
                        .isGreaterThanOrEqualTo(1);
                assertThat(sample(metrics, "strand_connections_open", null)).isGreaterThanOrEqualTo(1);
                assertThat(sample(metrics, "strand_journal_persist_seconds_count", null))
                        .as("one journal write per mutation that changed something").isGreaterThanOrEqualTo(4);
                assertThat(sample(metrics, "strand_replicas", "state=\"current\"")).isGreaterThanOrEqualTo(1);
            }

            server.stop();
            assertThat(management.readiness()).isEqualTo(ManagementProbe.Readiness.NO_ANSWER);
        }
    }

    /** The value of one sample in Prometheus's text format ({@code labels} exactly as printed, or none). */
    private static double sample(String metrics, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels == null ? "" : Pattern.quote("{" + labels + "}"))
                + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(name + (labels == null ? "" : "{" + labels + "}") + " in\n" + metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}

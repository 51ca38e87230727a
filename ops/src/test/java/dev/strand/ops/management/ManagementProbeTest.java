package dev.strand.ops.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementProbeTest {

    @Test
    void clusterMembersReadAsOneLineSortedByNodeWithTheUnreachableOnes() throws Exception {
        String json = """
                {"selfNode":"pekko://strand@127.0.0.1:25521","leader":"pekko://strand@127.0.0.1:25520",
                 "oldest":"pekko://strand@127.0.0.1:25520",
                 "members":[{"node":"pekko://strand@127.0.0.1:25522","nodeUid":"3","status":"Up","roles":[]},
                            {"node":"pekko://strand@127.0.0.1:25520","nodeUid":"1","status":"Up","roles":[]},
                            {"node":"pekko://strand@127.0.0.1:25521","nodeUid":"2","status":"Joining","roles":[]}],
                 "unreachable":[{"node":"pekko://strand@127.0.0.1:25522","observedBy":["pekko://strand@127.0.0.1:25520"]}]}
                """;
        assertThat(ManagementProbe.describe(new ObjectMapper().readTree(json))).isEqualTo(
                "127.0.0.1:25520 Up, 127.0.0.1:25521 Joining, 127.0.0.1:25522 Up (unreachable: 127.0.0.1:25522)");
        assertThat(ManagementProbe.describe(new ObjectMapper().readTree("{\"members\":[],\"unreachable\":[]}")))
                .isEqualTo(" (unreachable: none)");
    }

    @Test
    void aPortNobodyListensOnHasNoAnswer() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ManagementProbe probe = new ManagementProbe("127.0.0.1", port);
        assertThat(probe.readiness()).isEqualTo(ManagementProbe.Readiness.NO_ANSWER);
        assertThat(probe.membership()).isEmpty();
    }
}

package dev.strand.protocol;

import dev.strand.protocol.message.Message;
import dev.strand.protocol.message.ReplicaInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ReplicaInfo's resolution-log size and conflicts travel, and older peers on either side still read each other. */
class ReplicaInfoFiguresTest {

    /** A ReplicaInfo as servers and clients before the resolution log have it. */
    record ReplicaInfoBeforeResolutionLog(int index, String entityId, String node, boolean available,
                                          List<Long> versionVector, int pendingCop2, String state) implements Message {}

    @Test
    void theFiguresRoundTrip() {
        ReplicaInfo info = new ReplicaInfo(1, "4.1", "n1", true, List.of(5L, 5L), 2, "current", 17, 0);

        assertThat(WireCodec.decode(WireCodec.encode(info), ReplicaInfo.class)).isEqualTo(info);
    }

    @Test
    void anOlderServersReplicaInfoHasNoFiguresAndAnOlderClientIgnoresThem() {
        ReplicaInfo fromOldServer = WireCodec.decode(WireCodec.encode(new ReplicaInfoBeforeResolutionLog(0, "4.0",
                "n1", true, List.of(5L), 0, "current")), ReplicaInfo.class);
        assertThat(fromOldServer.resolutionLogEntries()).isNull();
        assertThat(fromOldServer.conflicts()).isNull();

        ReplicaInfoBeforeResolutionLog oldClient = WireCodec.decode(WireCodec.encode(
                new ReplicaInfo(0, "4.0", "n1", true, List.of(5L), 0, "current", 3, 0)),
                ReplicaInfoBeforeResolutionLog.class);
        assertThat(oldClient.state()).isEqualTo("current");
    }
}

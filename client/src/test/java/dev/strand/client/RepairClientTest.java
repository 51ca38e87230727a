package dev.strand.client;

import dev.strand.client.testing.RealServer;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.ConflictException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.ConflictInfo;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.RepairShowReply;
import dev.strand.protocol.message.ReplicaObjectInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Conflicts as a client sees them, and {@code strand repair}'s requests, against a real server of two replicas. */
class RepairClientTest {

    private static RealServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RealServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void write(BlockingStrandClient client, String path, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.write(path, bytes.length, Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), null);
    }

    private static String cat(BlockingStrandClient client, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.cat(path, out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anObjectInConflictAnswersConflictUntilItIsRepairedAndTheRestOfTheVolumeWorks() throws Exception {
        try (BlockingStrandClient client = BlockingStrandClient.connect(server.settings())) {
            client.volumeCreate("conflicted", 2);
            write(client, "/conflicted/a", "version of a");
            write(client, "/conflicted/b", "b is fine");
            server.markConflict("/conflicted/a");

            assertThatThrownBy(() -> client.stat("/conflicted/a")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("UPDATE_UPDATE").hasMessageContaining("[0, 1]");
            assertThatThrownBy(() -> cat(client, "/conflicted/a")).isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> client.truncate("/conflicted/a", 0))
                    .isInstanceOfSatisfying(StrandException.class, e -> assertThat(e.status()).isEqualTo(Status.CONFLICT));
            assertThat(cat(client, "/conflicted/b")).isEqualTo("b is fine");
            write(client, "/conflicted/c", "new");
            assertThat(client.volumeInfo("conflicted").replicaInfo()).extracting(ReplicaInfo::conflicts)
                    .containsOnly(1);

            List<ConflictInfo> conflicts = client.repairList("conflicted");
            assertThat(conflicts).singleElement().satisfies(c -> {
                assertThat(c.kind()).isEqualTo("UPDATE_UPDATE");
                assertThat(c.paths()).containsExactly("/a");
                assertThat(c.markedOn()).containsExactly(0, 1);
            });
            RepairShowReply shown = client.repairShow("/conflicted/a");
            assertThat(shown.replicas()).extracting(ReplicaObjectInfo::size).containsExactly(12L, 12L);
            assertThat(shown.conflicts()).hasSize(1);

            Attr repaired = client.repairFile("/conflicted/a", 1);

            assertThat(repaired.size()).isEqualTo(12);
            assertThat(cat(client, "/conflicted/a")).isEqualTo("version of a");
            assertThat(client.repairList("conflicted")).isEmpty();
            assertThat(client.volumeInfo("conflicted").replicaInfo()).extracting(ReplicaInfo::conflicts)
                    .containsOnly(0);
            assertThat(client.validate("/conflicted/a").agree()).isTrue();
            assertThatThrownBy(() -> client.repairFile("/conflicted/a", 0))
                    .isInstanceOfSatisfying(StrandException.class,
                            e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT));
        }
    }
}

package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.support.SharedCassandra;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.VolumeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two server processes, a volume of two replicas (one on each node): a directory of names of the longest
 * length, listed with attributes through each node. Through at least one of them the READ_DIR pages come from
 * the other node, so each must fit one remoting frame (a page of 1,000 such entries is about 600 KB; remoting
 * drops a message over its 256 KiB frame, and the client would see the request time out).
 */
class CrossNodeFramesIT {
    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ProcessCluster.start(2, SharedCassandra.uniqueKeyspace("frames"),
                new ProcessCluster.PortRange(7900, 25900));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A client of one node only: what it reads comes through that node. */
    private static BlockingStrandClient connectTo(ProcessCluster.Node node) {
        return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(node.clientAddress()))
                .withConnectTimeout(Duration.ofSeconds(3)));
    }

    @Test
    void aDirectoryOfLongestNamesIsListedWithAttributesInFullThroughEveryNode() {
        List<String> names = new ArrayList<>();
        try (BlockingStrandClient client = connectTo(cluster.node(1))) {
            VolumeInfo volume = client.volumeCreate("frames", 2);
            assertThat(volume.replicas()).isEqualTo(2);
            client.mkdir("/frames/d");
            for (int i = 0; i < 1_200; i++) {
                String name = String.format("%05d", i) + "\u00e9".repeat(125); // 255 UTF-8 bytes
                names.add(name);
                client.createFile("/frames/d/" + name, 0644, true);
            }
        }

        for (ProcessCluster.Node node : cluster.nodes()) {
            try (BlockingStrandClient client = connectTo(node)) {
                List<String> listed = new ArrayList<>();
                client.list("/frames/d", false, true).forEachRemaining((DirEntry e) -> {
                    assertThat(e.attr()).isNotNull();
                    listed.add(e.name());
                });
                assertThat(listed).as("listed through %s", node.clientAddress()).isEqualTo(names);
                assertThat(client.volumeList()).extracting(VolumeInfo::name).contains("frames");
            }
        }
    }
}

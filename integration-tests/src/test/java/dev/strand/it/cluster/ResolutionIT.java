package dev.strand.it.cluster;

import dev.strand.client.BlockingStrandClient;
import dev.strand.it.support.SharedCassandra;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.VolumeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The case: a write acknowledged by one replica alone (min-replicas 1: the nodes of the other two are paused
 * with SIGSTOP), whose node then dies (kill -9) together with the volume's coordinator. The restarted coordinator
 * serves the other two replicas; once the node is back, every replica is current with equal vectors and the write
 * is readable through every node.
 */
class ResolutionIT {

    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        // The victim writes alone while the others are paused; the split-brain resolver downs it (the minority) once
        // the others have been unreachable for stable-after. The default 5 s leaves the write (one COP1 that waits
        // the 5 s replica timeout, then a STORE) a few seconds on a loaded machine: 20 s leaves it enough.
        cluster = ProcessCluster.start(3, SharedCassandra.uniqueKeyspace("resolve"),
                new ProcessCluster.PortRange(8300, 26300), null,
                List.of("-Dpekko.cluster.split-brain-resolver.stable-after=20s"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWriteAcknowledgedByOneReplicaWhoseNodeDiesWithTheCoordinatorIsOnEveryReplicaAfterItReturns()
            throws Exception {
        // The victim is the node of the volume's coordinator (and of one of its replicas)
        ProcessCluster.PlacedVolume placed = cluster.volumeCoordinatedOffNodeOne("solo", "1");
        assertThat(placed).as("a volume whose coordinator started").isNotNull();
        String volume = placed.name();
        ProcessCluster.Node victim = placed.coordinator();
        List<ProcessCluster.Node> others = new ArrayList<>();
        for (ProcessCluster.Node node : cluster.nodes()) {
            if (node != victim) {
                others.add(node);
            }
        }

        byte[] contents = "acknowledged by one replica alone".getBytes(StandardCharsets.UTF_8);
        String volumeName = volume;
        String path = "/" + volume + "/alone.txt";
        try (BlockingStrandClient client = victim.client()) {
            // the volume's record and its path are known on this connection before the others pause: the write
            // then needs no registry and no other node
            assertThat(client.stat("/" + volume + "/before")).isNotNull();
            others.forEach(ProcessCluster.Node::pause);
            client.createFile(path, 0644, true);
            client.write(path, contents.length, Channels.newChannel(new ByteArrayInputStream(contents)), n -> {});
        } finally {
            victim.kill(); // the replica that alone holds the write, and the coordinator, die together
            others.forEach(ProcessCluster.Node::resume);
        }

        victim.restart();
        await("every node sees all three Up").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(cluster::allRunningNodesSeeEachOtherUp);
        long back = System.nanoTime();
        try (BlockingStrandClient admin = cluster.clientOfAll(0)) {
            await("every replica current, with equal volume vectors").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                        VolumeInfo info = admin.volumeInfo(volumeName);
                        assertThat(info.replicaInfo()).extracting(ReplicaInfo::state).containsOnly("current");
                        assertThat(info.replicaInfo()).extracting(ReplicaInfo::versionVector)
                                .containsOnly(info.replicaInfo().get(0).versionVector());
                    });
        }
        System.out.printf("[ResolutionIT] every replica current with equal vectors %d ms after the node was back%n",
                (System.nanoTime() - back) / 1_000_000);
        for (ProcessCluster.Node node : cluster.nodes()) {
            try (BlockingStrandClient client = node.client()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                client.cat(path, out, n -> {});
                assertThat(out.toByteArray()).as("the write, through node " + node.index).isEqualTo(contents);
                assertThat(client.stat("/" + volume + "/before")).isNotNull();
            }
        }
    }
}

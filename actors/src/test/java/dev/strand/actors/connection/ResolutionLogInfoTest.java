package dev.strand.actors.connection;

import com.typesafe.config.ConfigFactory;
import dev.strand.actors.testing.InProcessServer;
import dev.strand.actors.coordinator.VolumeCoordinator;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeInfoRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VOLUME_INFO over a real TCP connection shows each replica's resolution-log size. The server is the one of
 * {@link InProcessServer}, except that update sets (COP2) never go on their own: each rides on the next operation,
 * so after a series of operations every replica holds exactly the last one in its log.
 */
class ResolutionLogInfoTest {

    private static ActorTestKit testKit;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                strand.coordinator.cop2-flush-delay = 1h
                """).withFallback(ActorTestSupport.inMemoryPersistence()));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        InMemoryChunkStore chunks = new InMemoryChunkStore();
        VolumeReplica.init(testKit.system(), chunks, ActorTestSupport.quietSettings());
        VolumeRegistry.init(testKit.system());
        VolumeCoordinator.init(testKit.system(), chunks);
        port = StrandTcpServer.bind(testKit.system(), "127.0.0.1", 0,
                        new ServerIdentity(InProcessServer.CLUSTER_ID, "test-node", 1),
                        VolumeRouter.sharded(testKit.system()), chunks)
                .toCompletableFuture().get(30, TimeUnit.SECONDS).localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void volumeInfoShowsEachReplicasResolutionLogAndConflicts() throws Exception {
        try (WireClient client = new WireClient(port, Duration.ofSeconds(30)).greet("resolution-log-info")) {
            VolumeInfo volume = client.call(new VolumeCreate("logged", 3), VolumeInfo.class);
            for (int i = 0; i < 5; i++) {
                client.call(new Create(volume.root(), "f" + i, 0644, true), dev.strand.protocol.message.Attr.class);
            }

            VolumeInfo info = client.call(new VolumeInfoRequest("logged"), VolumeInfo.class);

            assertThat(info.replicaInfo()).hasSize(3);
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::pendingCop2).containsOnly(1);
            assertThat(info.replicaInfo()).as("the last create, whose update set has not come yet")
                    .extracting(ReplicaInfo::resolutionLogEntries).containsOnly(1);
            assertThat(info.replicaInfo()).extracting(ReplicaInfo::conflicts).containsOnly(0);
        }
    }
}

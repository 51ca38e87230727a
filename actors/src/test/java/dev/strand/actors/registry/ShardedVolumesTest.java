package dev.strand.actors.registry;

import dev.strand.actors.volume.ReplicaSummary;
import com.typesafe.config.ConfigFactory;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry and the replicas as sharded entities on a one-node cluster, with every message serialised
 * as if it crossed nodes: the actor protocols survive Jackson CBOR, protocol requests and replies included.
 */
class ShardedVolumesTest {

    // cluster formation and the first entity start take a moment: a generous bound, not an expectation
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.actor.serialize-messages = on
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            """).withFallback(ActorTestSupport.inMemoryPersistence()));

    @BeforeAll
    static void startShardedEntities() {
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        InMemoryChunkStore chunks = new InMemoryChunkStore();
        VolumeReplica.init(testKit.system(), chunks, ActorTestSupport.quietSettings(), ActorTestSupport.fence());
        dev.strand.actors.coordinator.VolumeCoordinator.init(testKit.system(), chunks);
        VolumeRegistry.init(testKit.system(), ActorTestSupport.fence());
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aVolumeCreatedThroughTheRegistryServesRequestsThroughSharding() {
        TestProbe<VolumeRegistry.Result> client = testKit.createTestProbe();
        VolumeRegistry.entityRef(testKit.system()).tell(new VolumeRegistry.CreateVolume("shared", 1, client.getRef()));
        VolumeRegistry.VolumeRecord volume =
                client.expectMessageClass(VolumeRegistry.Result.Volume.class, STARTUP).volume();

        EntityRef<VolumeReplica.Command> replica = ClusterSharding.get(testKit.system())
                .entityRefFor(VolumeReplica.ENTITY_TYPE_KEY, volume.replicaEntityIds().get(0));
        TestProbe<VolumeReplica.Result> results = testKit.createTestProbe();
        Fid root = Fid.root(volume.id());
        replica.tell(new VolumeReplica.Execute(new MkDir(root, "d", 0755), "client-1", 1, results.getRef()));
        Attr dir = (Attr) results.expectMessageClass(VolumeReplica.Result.Done.class, STARTUP).reply();
        replica.tell(new VolumeReplica.Execute(new ReadDir(root, null, 10, true), "client-1", 2, results.getRef()));
        ReadDirReply listing = (ReadDirReply) results.expectMessageClass(VolumeReplica.Result.Done.class).reply();

        assertThat(listing.entries()).extracting(DirEntry::name).containsExactly("d");
        assertThat(listing.entries().get(0).attr()).isEqualTo(dir);
    }

    @Test
    void aReplicatedVolumeServesThroughItsShardedCoordinatorAndItsReplicasAgree() {
        TestProbe<VolumeRegistry.Result> client = testKit.createTestProbe();
        VolumeRegistry.entityRef(testKit.system())
                .tell(new VolumeRegistry.CreateVolume("triple", 3, client.getRef(), MinReplicas.MAJORITY));
        VolumeRegistry.VolumeRecord volume =
                client.expectMessageClass(VolumeRegistry.Result.Volume.class, STARTUP).volume();

        var coordinator = dev.strand.actors.connection.VolumeRouter.sharded(testKit.system()).replica(volume.id());
        TestProbe<VolumeReplica.Result> results = testKit.createTestProbe();
        coordinator.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volume.id()), "d", 0755), "client-1", 1,
                results.getRef()));
        Attr dir = (Attr) results.expectMessageClass(VolumeReplica.Result.Done.class, STARTUP).reply();

        results.awaitAssert(STARTUP, () -> {
            coordinator.tell(new VolumeReplica.Validate(dir.fid(), results.getRef()));
            VolumeReplica.Result.Validation validation = results.expectMessageClass(VolumeReplica.Result.Validation.class);
            assertThat(validation.agree()).isTrue();
            assertThat(validation.replicas()).hasSize(3);
            assertThat(validation.replicas().get(0).versionVector()).containsExactly(1L, 1L, 1L);
            return null;
        });
        coordinator.tell(new VolumeReplica.GetStats(results.getRef()));
        VolumeReplica.Result.Stats stats = results.expectMessageClass(VolumeReplica.Result.Stats.class);
        assertThat(stats.group()).extracting(ReplicaSummary::entityId)
                .containsExactlyElementsOf(volume.replicaEntityIds());
    }
}

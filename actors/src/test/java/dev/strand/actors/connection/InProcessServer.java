package dev.strand.actors.connection;

import com.typesafe.config.ConfigFactory;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.util.concurrent.TimeUnit;

/**
 * A real Strand TCP server in the test's JVM: a one-node cluster with the registry and the replicas sharded as in
 * production, an in-memory journal that serialises every event (as Cassandra's would) and an in-memory chunk store.
 */
final class InProcessServer implements AutoCloseable {

    static final String CLUSTER_ID = "test-cluster";

    private final ActorTestKit testKit;
    private final int port;

    private InProcessServer(ActorTestKit testKit, int port) {
        this.testKit = testKit;
        this.port = port;
    }

    static InProcessServer start() throws Exception {
        ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                """).withFallback(ActorTestSupport.inMemoryPersistence()));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        InMemoryChunkStore chunks = new InMemoryChunkStore();
        VolumeReplica.init(testKit.system(), chunks, ActorTestSupport.quietSettings());
        dev.strand.actors.coordinator.VolumeCoordinator.init(testKit.system(), chunks); // as StrandServer does
        VolumeRegistry.init(testKit.system());
        dev.strand.actors.coordinator.VolumeCoordinator.init(testKit.system(), chunks); // requests go through it
        int port = StrandTcpServer.bind(testKit.system(), "127.0.0.1", 0,
                        new ServerIdentity(CLUSTER_ID, "test-node", 1), VolumeRouter.sharded(testKit.system()), chunks)
                .toCompletableFuture().get(30, TimeUnit.SECONDS).localAddress().getPort();
        return new InProcessServer(testKit, port);
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }
}

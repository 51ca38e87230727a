package dev.strand.actors.testing;

import com.typesafe.config.Config;
import dev.strand.protocol.message.Fid;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import com.typesafe.config.ConfigFactory;
import dev.strand.actors.connection.ServerIdentity;
import dev.strand.actors.connection.StrandTcpServer;
import dev.strand.actors.connection.VolumeRouter;
import dev.strand.actors.coordinator.VolumeCoordinator;
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
 *
 * <p>Shared with the client and CLI tests (this module's test-jar), so that they run against the server's real
 * semantics rather than a fake that could drift from them. Starting one takes a few seconds: share one per test
 * class.
 */
public final class InProcessServer implements AutoCloseable {

    /** The cluster id of a server with default settings, so that clients with default settings reach it. */
    public static final String CLUSTER_ID = "strand";

    private final ActorTestKit testKit;
    private final int port;

    private InProcessServer(ActorTestKit testKit, int port) {
        this.testKit = testKit;
        this.port = port;
    }

    public static InProcessServer start() throws Exception {
        return start(ConfigFactory.empty());
    }

    /** A server whose configuration has {@code overrides} on top (e.g. {@code strand.connections.*}). */
    public static InProcessServer start(Config overrides) throws Exception {
        ActorTestKit testKit = ActorTestKit.create(overrides.withFallback(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                # a message for a replica that arrives while its shard region shuts down (a COP2 flush after a
                # test's last change) is buffered and waits for the stopping coordinator: the region gives up after
                # this, well within the test kit's own bound, so a test's server always stops
                pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 3s
                pekko.actor.testkit.typed.system-shutdown-default = 30s
                """)).withFallback(ActorTestSupport.inMemoryPersistence()));
        try {
            Cluster cluster = Cluster.get(testKit.system());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            InMemoryChunkStore chunks = new InMemoryChunkStore();
            // in the order StrandServer starts them
            VolumeReplica.init(testKit.system(), chunks, ActorTestSupport.quietSettings(), ActorTestSupport.fence());
            VolumeCoordinator.init(testKit.system(), chunks);
            VolumeRegistry.init(testKit.system(), ActorTestSupport.fence());
            int port = StrandTcpServer.bind(testKit.system(), "127.0.0.1", 0,
                            new ServerIdentity(CLUSTER_ID, "test-node", 1), VolumeRouter.sharded(testKit.system()), chunks)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS).localAddress().getPort();
            return new InProcessServer(testKit, port);
        } catch (Exception | Error e) {
            testKit.shutdownTestKit();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, as clients and the CLI take it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /**
     * Marks {@code fid} in conflict (UPDATE_UPDATE between replicas 0 and 1) on each of the volume's {@code replicas},
     * with the command a resolution whose plan held it back sends them ({@code ApplyResolution}, here with no steps):
     * for tests of what clients see of a conflict. The objects are not made to differ (ResolutionTest makes a real
     * one); the replicas must be quiet (it ends with their resolution logs emptied, as a resolution does).
     */
    public void markConflict(Fid fid, int replicas, String path) throws Exception {
        markConflict(fid.volume(), replicas, new ConflictRecord("UPDATE_UPDATE", List.of(fid), List.of(),
                List.of(path), List.of(0, 1), "both sides changed it (marked by a test)"));
    }

    /**
     * Marks {@code name} of directory {@code dir}, bound to {@code fid} on every replica, in a NAME_NAME conflict (as
     * {@link #markConflict(Fid, int, String)}: the bindings are not made to differ).
     */
    public void markNameConflict(Fid dir, String name, Fid fid, int replicas, String path) throws Exception {
        markConflict(fid.volume(), replicas, new ConflictRecord("NAME_NAME", List.of(fid),
                List.of(new ConflictRecord.Name(dir, name)), List.of(path, path), List.of(0, 1),
                "'" + name + "' bound on both sides (marked by a test)"));
    }

    private void markConflict(long volume, int replicas, ConflictRecord conflict) throws Exception {
        Fid fid = Fid.root(volume);
        ClusterSharding sharding = ClusterSharding.get(testKit.system());
        List<org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<VolumeReplica.Command>> refs = new ArrayList<>();
        VersionVector merged = null;
        long nextVnode = 0;
        long nextUnique = 0;
        for (int r = 0; r < replicas; r++) {
            var ref = sharding.entityRefFor(VolumeReplica.ENTITY_TYPE_KEY, VolumeReplica.entityId(fid.volume(), r));
            refs.add(ref);
            var log = (VolumeReplica.Result.ResolutionLogRead) AskPattern.<VolumeReplica.Command, VolumeReplica.Result>ask(
                    ref, VolumeReplica.ReadResolutionLog::new, Duration.ofSeconds(10), testKit.system().scheduler())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            merged = merged == null ? log.volumeVector() : merged.merge(log.volumeVector());
            nextVnode = Math.max(nextVnode, log.nextVnode());
            nextUnique = Math.max(nextUnique, log.nextUnique());
        }
        for (int slot = 0; slot < replicas; slot++) {
            merged = merged.increment(slot);
        }
        for (var ref : refs) {
            VersionVector vector = merged;
            long vnode = nextVnode;
            long unique = nextUnique;
            VolumeReplica.Result done = AskPattern.<VolumeReplica.Command, VolumeReplica.Result>ask(ref,
                            reply -> new VolumeReplica.ApplyResolution(List.of(), vector, vnode, unique, reply,
                                    List.of(conflict)), Duration.ofSeconds(10), testKit.system().scheduler())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (!(done instanceof VolumeReplica.Result.Installed)) {
                throw new IllegalStateException("the replica did not mark the conflict: " + done);
            }
        }
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }
}

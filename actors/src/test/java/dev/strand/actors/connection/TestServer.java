package dev.strand.actors.connection;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Fid;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.stream.javadsl.Tcp;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client port of a node on real TCP, in-process: {@link StrandTcpServer} with the given connection settings,
 * in front of one initialised volume replica on the in-memory journal and chunk store (no cluster, no registry).
 */
final class TestServer implements AutoCloseable {
    static final long VOLUME = 1;
    static final Fid ROOT = Fid.root(VOLUME);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private final Tcp.ServerBinding binding;

    TestServer(ConnectionSettings settings) throws Exception {
        InMemoryChunkStore chunks = new InMemoryChunkStore();
        ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(
                VolumeReplica.entityId(VOLUME, 0), chunks, ActorTestSupport.quietSettings(), ActorTestSupport.fence()));
        TestProbe<VolumeReplica.Result> initialized = testKit.createTestProbe();
        replica.tell(new VolumeReplica.Initialize(VOLUME, "test", 1, initialized.ref()));
        initialized.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(10));
        TestProbe<VolumeRegistry.Command> registry = testKit.createTestProbe();
        KnownVolumes known = new KnownVolumes();
        VolumeRouter router = new VolumeRouter() {
            @Override
            public RecipientRef<VolumeRegistry.Command> registry() {
                return registry.ref();
            }

            @Override
            public RecipientRef<VolumeReplica.Command> replica(long volumeId) {
                return replica;
            }

            @Override
            public KnownVolumes knownVolumes() {
                return known;
            }
        };
        binding = StrandTcpServer.bind(testKit.system(), "127.0.0.1", 0, new ServerIdentity("strand", "test", 1),
                router, chunks, settings).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Generous limits, except those given. */
    static ConnectionSettings settings() {
        return new ConnectionSettings(100, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(60),
                4 << 20, Duration.ofSeconds(10));
    }

    int port() {
        return binding.localAddress().getPort();
    }

    TestClient connect() throws Exception {
        return new TestClient(port());
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }
}

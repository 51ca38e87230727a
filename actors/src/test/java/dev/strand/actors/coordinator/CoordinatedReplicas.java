package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.registry.MinReplicas;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.cop2.OperationIds;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixture of the coordinator tests that drive real replicas (ResolutionTest, DetectionTest, ConflictCatchUpTest):
 * in-memory replicas of one volume, each behind a link the test can cut or filter, a stand-in registry that names the
 * group and leases operation ids, and the volume's coordinator over the links. A replica can also apply an operation
 * alone, as a partition's other side (or a coordinator that died with its node) would have it do.
 */
final class CoordinatedReplicas {

    /** Whether a message on its way to replica {@code replica} goes through (the link may keep or answer it). */
    interface Link {
        boolean deliver(int replica, VolumeReplica.Command message);
    }

    private static final AtomicLong REQUEST_IDS = new AtomicLong(1);

    final ActorTestKit testKit;
    final TestProbe<VolumeReplica.Result> client;
    final long volumeId;
    final Fid root;
    /** The replicas themselves (bypassing the links). */
    final List<ActorRef<VolumeReplica.Command>> real = new ArrayList<>();
    /** Per replica: nothing reaches it from the coordinator. */
    final List<AtomicBoolean> cut = new ArrayList<>();
    final List<String> ids = new ArrayList<>();
    private final Map<String, RecipientRef<VolumeReplica.Command>> links = new HashMap<>();
    private final Link link;
    InMemoryChunkStore chunks;
    ActorRef<VolumeReplica.Command> coordinator;

    CoordinatedReplicas(ActorTestKit testKit, long volumeId, Link link) {
        this.testKit = testKit;
        this.client = testKit.createTestProbe();
        this.volumeId = volumeId;
        this.root = Fid.root(volumeId);
        this.link = link;
    }

    static long nextRequestId() {
        return REQUEST_IDS.incrementAndGet();
    }

    /** {@code replicas} initialized replicas, each behind its link. */
    void replicas(int replicas, VolumeSettings settings) {
        chunks = new InMemoryChunkStore(() -> 0L);
        for (int r = 0; r < replicas; r++) {
            String entityId = VolumeReplica.entityId(volumeId, r);
            ids.add(entityId);
            ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks, settings, ActorTestSupport.fence()));
            replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), replicas));
            client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(20));
            AtomicBoolean cutOff = new AtomicBoolean();
            real.add(replica);
            cut.add(cutOff);
            int index = r;
            links.put(entityId, testKit.spawn(Behaviors.<VolumeReplica.Command>receiveMessage(message -> {
                if (!cutOff.get() && link.deliver(index, message)) {
                    replica.tell(message);
                }
                return Behaviors.same();
            })));
        }
    }

    static VolumeCoordinator.Settings settings(Duration replicaTimeout, Duration scrubInterval) {
        return new VolumeCoordinator.Settings(replicaTimeout, Duration.ofMillis(50), Duration.ofHours(1), Duration.ZERO,
                scrubInterval);
    }

    /** The volume's coordinator over the links (min-replicas one). */
    void coordinator(VolumeCoordinator.Settings settings) {
        VolumeRegistry.VolumeRecord record = new VolumeRegistry.VolumeRecord(volumeId, "vol", ids.size(), 1, ids,
                MinReplicas.normalize(MinReplicas.ONE));
        AtomicLong nextLease = new AtomicLong(OperationIds.FIRST);
        Behavior<VolumeRegistry.Command> registry = Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(nextLease.getAndAdd(1000), 1000));
            }
            return Behaviors.same();
        });
        coordinator = testKit.spawn(VolumeCoordinator.create(volumeId, links::get, testKit.spawn(registry), chunks,
                settings));
    }

    VolumeReplica.Result ask(Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command,
                             Duration wait) {
        coordinator.tell(command.apply(client.getRef()));
        return client.receiveMessage(wait);
    }

    /** Through the coordinator (a replica that is cut off misses it); it must succeed. */
    VolumeReplica.Result.Done mutate(Request request, Duration wait) {
        VolumeReplica.Result result = ask(r -> new VolumeReplica.Execute(request, "test-client", nextRequestId(), r),
                wait);
        assertThat(result).as("the mutation succeeded").isInstanceOf(VolumeReplica.Result.Done.class);
        return (VolumeReplica.Result.Done) result;
    }

    /** Replicas {@code rs} alone apply {@code request} as operation {@code opId} of a coordinator the others lack. */
    VolumeReplica.Result.Done alone(List<Integer> rs, long opId, long time, Request request) {
        Cop1 cop1 = new Cop1(opId, time, List.of());
        long requestId = nextRequestId();
        VolumeReplica.Result.Done done = null;
        for (int r : rs) {
            real.get(r).tell(new VolumeReplica.Execute(request, "other-side", requestId, client.getRef(), cop1));
            done = client.expectMessageClass(VolumeReplica.Result.Done.class);
        }
        return done;
    }

    VolumeReplica.Result.Stats stats(Duration wait) {
        return (VolumeReplica.Result.Stats) ask(VolumeReplica.GetStats::new, wait);
    }

    /** What replica {@code r} itself answers to {@code request}. */
    VolumeReplica.Result onReplica(int r, Request request) {
        real.get(r).tell(new VolumeReplica.Execute(request, "c", nextRequestId(), client.getRef()));
        return client.receiveMessage(Duration.ofSeconds(5));
    }

    /** Every name in the root of replica {@code r}, page after page. */
    List<String> names(int r) {
        List<String> names = new ArrayList<>();
        ReadDirReply page;
        do {
            String after = names.isEmpty() ? null : names.get(names.size() - 1);
            real.get(r).tell(new VolumeReplica.Execute(new ReadDir(root, after, 1000, false), "c", nextRequestId(),
                    client.getRef()));
            page = (ReadDirReply) client.expectMessageClass(VolumeReplica.Result.Done.class).reply();
            page.entries().forEach(e -> names.add(e.name()));
        } while (!page.eof() && !page.entries().isEmpty());
        return names;
    }

    Attr attr(int r, Fid fid) {
        real.get(r).tell(new VolumeReplica.Execute(new GetAttr(fid), "c", nextRequestId(), client.getRef()));
        return (Attr) client.expectMessageClass(VolumeReplica.Result.Done.class).reply();
    }

    /** Every replica current with one volume vector, within {@code within}. */
    void awaitEveryReplicaCurrentWithEqualVectors(Duration within, Duration askWait) {
        client.awaitAssert(within, Duration.ofMillis(200), () -> {
            VolumeReplica.Result.Stats stats = stats(askWait);
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::versionVector)
                    .containsOnly(stats.group().get(0).versionVector());
            return null;
        });
    }
}

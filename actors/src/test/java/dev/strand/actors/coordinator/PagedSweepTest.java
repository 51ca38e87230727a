package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.FrameSizes;
import dev.strand.actors.registry.MinReplicas;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's blob sweep over replicas whose references take several pages: every message of the sweep
 * fits one frame, and the sweeps together delete all garbage and keep every referenced blob.
 */
class PagedSweepTest {

    private static final long VOLUME_ID = 42;
    private static final int REAL_REPLICA_BLOBS = 8_000;
    private static final int OTHER_REPLICA_BLOBS = 12_000;
    private static final int GARBAGE = 10_000;

    private static FrameSizes frames;

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** Blobs registered while the clock reads 0 are long idle. */
    private final InMemoryChunkStore chunks = new InMemoryChunkStore(() -> 0);
    private final TestProbe<VolumeReplica.Result> client = testKit.createTestProbe();

    @BeforeAll
    static void start() {
        frames = new FrameSizes();
    }

    @AfterAll
    static void stop() throws Exception {
        frames.close();
    }

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private UUID registeredBlob() {
        UUID blobId = UUID.randomUUID();
        chunks.registerBlob(VOLUME_ID, blobId);
        return blobId;
    }

    /** A replica that references {@code blobs} and answers with pages of the real size (and checks they fit). */
    private static Behavior<VolumeReplica.Command> replicaReferencing(List<UUID> blobs) {
        int perPage = frames.budget.uuidsPerPage();
        return Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeReplica.GetStats stats) {
                stats.replyTo().tell(new VolumeReplica.Result.Stats(VOLUME_ID, "vol", 1, 0, 1, 0, 0, List.of(1L, 1L),
                        null, null));
            } else if (message instanceof VolumeReplica.ListBlobReferencesPage ask) {
                int from = (int) ask.afterVnode();
                int to = Math.min(blobs.size(), from + perPage);
                VolumeReplica.Result.BlobReferencesPage page = new VolumeReplica.Result.BlobReferencesPage(1,
                        List.copyOf(blobs.subList(from, to)), to, to == blobs.size());
                frames.assertFits(page);
                ask.replyTo().tell(page);
            }
            return Behaviors.same();
        });
    }

    @Test
    void sweepsOverReplicasOfManyBlobsDeleteAllGarbageAndKeepEveryReferencedBlob() {
        ActorRef<VolumeReplica.Command> real = testKit.spawn(VolumeReplica.create(VolumeReplica.entityId(VOLUME_ID, 0),
                chunks, new VolumeSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), 1_000_000, 2), ActorTestSupport.fence()));
        real.tell(new VolumeReplica.Initialize(VOLUME_ID, "vol", 1, client.getRef(), 2));
        client.expectMessageClass(VolumeReplica.Result.Done.class);
        Set<UUID> referenced = new HashSet<>();
        int batch = 1000; // sent a batch at once (answered in order), within the replica's stash while it persists
        for (int start = 0; start < REAL_REPLICA_BLOBS; start += batch) {
            for (int i = start; i < start + batch; i++) {
                real.tell(new VolumeReplica.Execute(new Create(Fid.root(VOLUME_ID), "f" + i, 0644, true), "c", 2L * i,
                        client.getRef()));
            }
            List<Fid> files = new ArrayList<>();
            for (int i = start; i < start + batch; i++) {
                files.add(((Attr) client.expectMessageClass(VolumeReplica.Result.Done.class).reply()).fid());
            }
            for (int i = start; i < start + batch; i++) {
                UUID blob = registeredBlob();
                real.tell(new VolumeReplica.CommitStore(files.get(i - start), blob, 1, "c", 2L * i + 1, client.getRef()));
                referenced.add(blob);
            }
            for (int i = start; i < start + batch; i++) {
                client.expectMessageClass(VolumeReplica.Result.Done.class);
            }
        }
        List<UUID> others = new ArrayList<>();
        for (int i = 0; i < OTHER_REPLICA_BLOBS; i++) {
            others.add(registeredBlob());
        }
        referenced.addAll(others);
        Set<UUID> garbage = new HashSet<>();
        for (int i = 0; i < GARBAGE; i++) {
            garbage.add(registeredBlob());
        }

        Map<String, RecipientRef<VolumeReplica.Command>> replicas = new HashMap<>();
        replicas.put(VolumeReplica.entityId(VOLUME_ID, 0), real);
        replicas.put(VolumeReplica.entityId(VOLUME_ID, 1), testKit.spawn(replicaReferencing(others)));
        VolumeRegistry.VolumeRecord record = new VolumeRegistry.VolumeRecord(VOLUME_ID, "vol", 2, 1,
                List.of(VolumeReplica.entityId(VOLUME_ID, 0), VolumeReplica.entityId(VOLUME_ID, 1)), MinReplicas.ONE);
        ActorRef<VolumeRegistry.Command> registry = testKit.spawn(Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(1L << 62, 1L << 32));
            }
            return Behaviors.same();
        }));
        ActorRef<VolumeReplica.Command> coordinator = testKit.spawn(VolumeCoordinator.create(VOLUME_ID, replicas::get,
                registry, chunks, new VolumeCoordinator.Settings(Duration.ofSeconds(5), Duration.ofMillis(50),
                        Duration.ofHours(1), Duration.ZERO)));

        Set<UUID> deleted = new HashSet<>();
        int sweeps = 0;
        while (true) {
            coordinator.tell(new VolumeReplica.SweepBlobs(client.getRef()));
            VolumeReplica.Result.Swept swept = client.expectMessageClass(VolumeReplica.Result.Swept.class,
                    Duration.ofSeconds(30));
            frames.assertFits(swept);
            sweeps++;
            if (swept.deleted().isEmpty()) {
                break;
            }
            deleted.addAll(swept.deleted());
        }

        assertThat(deleted).isEqualTo(garbage);
        assertThat(sweeps).as("a page of garbage per sweep").isEqualTo(3);
        Set<UUID> stored = new HashSet<>();
        chunks.listBlobs(VOLUME_ID).toCompletableFuture().join().forEach(b -> stored.add(b.blobId()));
        assertThat(stored).isEqualTo(referenced);
        // what the real replica answered: more than one page
        real.tell(new VolumeReplica.ListBlobReferencesPage(0, client.getRef()));
        VolumeReplica.Result.BlobReferencesPage first = client.expectMessageClass(
                VolumeReplica.Result.BlobReferencesPage.class);
        assertThat(first.last()).isFalse();
        frames.assertFits(first);
    }

    @Test
    void aCop1MessageCarryingTheMostUpdateSetsACoordinatorKeepsForAReplicaFitsAFrame() {
        List<Cop2Update> updates = new ArrayList<>();
        for (int i = 0; i < dev.strand.cop2.OperationPipeline.MAX_UNSENT_COP2; i++) {
            updates.add(new Cop2Update(Long.MAX_VALUE - i, List.of(0, 1, 2, 3, 4)));
        }
        frames.assertFits(new VolumeReplica.Cop2(updates, null));
        frames.assertFits(new VolumeReplica.Execute(new Create(Fid.root(VOLUME_ID), "n".repeat(255), 0644, true),
                "c".repeat(256), Long.MAX_VALUE, null, new Cop1(Long.MAX_VALUE, Long.MAX_VALUE, updates)));
        int added = frames.bytes(new VolumeReplica.Cop2(updates, null)) - frames.bytes(new VolumeReplica.Cop2(List.of(), null));
        assertThat(added).isLessThanOrEqualTo(updates.size() * Mutations.COP2_UPDATE_BYTES);
    }
}

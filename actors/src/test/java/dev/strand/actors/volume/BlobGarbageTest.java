package dev.strand.actors.volume;

import dev.strand.persistence.ChunkStore;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Remove;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Blobs that no file needs any more are deleted: freed ones after a delay, orphaned ones by the sweep. */
class BlobGarbageTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private static final AtomicLong volumeIds = new AtomicLong(500);
    private static final Duration SHORT = Duration.ofMillis(20);
    private static final Duration LONG = Duration.ofHours(1);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private final long volumeId = volumeIds.incrementAndGet();
    private final Fid root = Fid.root(volumeId);
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private final InMemoryChunkStore store = new InMemoryChunkStore(clock::get);
    private final TestProbe<UUID> deletions = testKit.createTestProbe();
    private final ChunkStore chunks = new ObservedChunkStore(store, deletions.getRef());
    private final TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();

    private ActorRef<VolumeReplica.Command> replica(Duration deleteDelay, Duration sweepInterval) {
        ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(
                VolumeReplica.entityId(volumeId, 0), chunks, new VolumeSettings(deleteDelay, sweepInterval, LONG, 1000, 2), ActorTestSupport.fence()));
        replica.tell(new VolumeReplica.Initialize(volumeId, "garbage", 1, probe.getRef()));
        probe.expectMessageClass(VolumeReplica.Result.Done.class);
        return replica;
    }

    /** A blob written for this volume, last touched at {@code touchedMillis}. */
    private UUID blob(long touchedMillis) {
        UUID blobId = UUID.randomUUID();
        clock.set(touchedMillis);
        store.registerBlob(volumeId, blobId);
        store.writeChunk(blobId, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        return blobId;
    }

    private UUID idleBlob() {
        return blob(0);
    }

    private UUID youngBlob() {
        return blob(System.currentTimeMillis());
    }

    private Fid file(ActorRef<VolumeReplica.Command> replica, String name) {
        replica.tell(new VolumeReplica.Execute(new Create(root, name, 0644, true), "c", requestIds.incrementAndGet(), probe.getRef()));
        return ((Attr) probe.expectMessageClass(VolumeReplica.Result.Done.class).reply()).fid();
    }

    private void commit(ActorRef<VolumeReplica.Command> replica, Fid file, UUID blobId) {
        replica.tell(new VolumeReplica.CommitStore(file, blobId, 3, "c", requestIds.incrementAndGet(), probe.getRef()));
        probe.expectMessageClass(VolumeReplica.Result.Done.class);
    }

    private List<UUID> sweep(ActorRef<VolumeReplica.Command> replica) {
        replica.tell(new VolumeReplica.SweepBlobs(probe.getRef()));
        return probe.expectMessageClass(VolumeReplica.Result.Swept.class).deleted();
    }

    private List<UUID> storedBlobs() {
        return store.listBlobs(volumeId).toCompletableFuture().join().stream()
                .map(ChunkStore.BlobRecord::blobId).toList();
    }

    @Test
    void theBlobAStoreReplacedIsDeleted() {
        ActorRef<VolumeReplica.Command> replica = replica(SHORT, LONG);
        Fid file = file(replica, "f");
        UUID first = youngBlob();
        UUID second = youngBlob();
        commit(replica, file, first);

        commit(replica, file, second);

        deletions.expectMessage(first);
        assertThat(storedBlobs()).containsExactly(second);
    }

    @Test
    void theBlobOfARemovedFileIsDeleted() {
        ActorRef<VolumeReplica.Command> replica = replica(SHORT, LONG);
        UUID blob = youngBlob();
        commit(replica, file(replica, "f"), blob);

        replica.tell(new VolumeReplica.Execute(new Remove(root, "f"), "c", requestIds.incrementAndGet(), probe.getRef()));
        probe.expectMessageClass(VolumeReplica.Result.Done.class);

        deletions.expectMessage(blob);
        assertThat(store.chunkCount()).isZero();
    }

    @Test
    void theSweepDeletesIdleBlobsThatNoFileReferences() {
        ActorRef<VolumeReplica.Command> replica = replica(LONG, LONG);
        UUID orphan = idleBlob();

        assertThat(sweep(replica)).containsExactly(orphan);
        assertThat(storedBlobs()).isEmpty();
    }

    @Test
    void theSweepSparesBlobsThatAFileReferences() {
        ActorRef<VolumeReplica.Command> replica = replica(LONG, LONG);
        UUID referenced = idleBlob();
        commit(replica, file(replica, "f"), referenced);

        assertThat(sweep(replica)).isEmpty();
        assertThat(storedBlobs()).containsExactly(referenced);
    }

    @Test
    void theSweepSparesBlobsTouchedRecently() {
        ActorRef<VolumeReplica.Command> replica = replica(LONG, LONG);
        UUID uploading = youngBlob();

        assertThat(sweep(replica)).isEmpty();
        assertThat(storedBlobs()).containsExactly(uploading);
    }

    @Test
    void theSweepSparesFreedBlobsStillWithinTheirDeleteDelay() {
        ActorRef<VolumeReplica.Command> replica = replica(LONG, LONG);
        Fid file = file(replica, "f");
        UUID replaced = idleBlob();
        commit(replica, file, replaced);
        commit(replica, file, youngBlob());

        assertThat(sweep(replica)).isEmpty();
        assertThat(storedBlobs()).contains(replaced);
    }

    @Test
    void theSweepRunsPeriodically() {
        UUID orphan = idleBlob();

        replica(LONG, SHORT);

        deletions.expectMessage(orphan);
    }
}

package dev.strand.it.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strand.it.support.SharedCassandra;
import dev.strand.persistence.CassandraChunkStore;
import dev.strand.persistence.ChunkStore;
import dev.strand.persistence.ChunkStore.BlobRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CassandraChunkStoreIT {

    private static final int SEGMENT = ChunkStore.CHUNKS_PER_SEGMENT;
    /** Stamps registrations, so that touch times are asserted exactly instead of waited for. */
    private static final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private static final String KEYSPACE = SharedCassandra.uniqueKeyspace("chunk_store_it");

    private static CassandraChunkStore store;

    private final UUID blob = UUID.randomUUID();
    private final long volume = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    @BeforeAll
    static void connect() {
        store = CassandraChunkStore.connect(SharedCassandra.host(), SharedCassandra.port(), KEYSPACE, 1, clock::get);
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static ByteBuffer small(long index) {
        return ByteBuffer.wrap(("chunk " + index).getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer full(long seed) {
        byte[] bytes = new byte[ChunkStore.CHUNK_SIZE];
        new Random(seed).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Writes chunks {@code 0..count-1}, full-size at segment boundaries and small elsewhere. */
    private void writeChunks(UUID blobId, long count) {
        List<CompletableFuture<Void>> writes = LongStream.range(0, count)
                .mapToObj(i -> store.writeChunk(blobId, i, payload(i)).toCompletableFuture())
                .toList();
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    private static ByteBuffer payload(long index) {
        boolean atSegmentEdge = index % SEGMENT == 0 || index % SEGMENT == SEGMENT - 1;
        return atSegmentEdge ? full(index) : small(index);
    }

    private ByteBuffer read(UUID blobId, long index) {
        return await(store.readChunk(blobId, index));
    }

    @Test
    void writtenChunkIsReadBack() {
        await(store.writeChunk(blob, 5, small(5)));

        assertThat(read(blob, 5)).isEqualTo(small(5));
    }

    @Test
    void fullSizeChunkIsReadBackByteForByte() {
        await(store.writeChunk(blob, 0, full(42)));

        assertThat(read(blob, 0)).isEqualTo(full(42));
    }

    @Test
    void chunkNeverWrittenReadsAsNull() {
        await(store.writeChunk(blob, 0, small(0)));

        assertThat(read(blob, 1)).isNull();
        assertThat(read(UUID.randomUUID(), 0)).isNull();
    }

    @Test
    void blobSpanningThreeSegmentsIsReadBackChunkByChunk() {
        long chunks = 2L * SEGMENT + 5;

        writeChunks(blob, chunks);

        for (long i = 0; i < chunks; i++) {
            assertThat(read(blob, i)).as("chunk %d", i).isEqualTo(payload(i));
        }
        assertThat(read(blob, chunks)).isNull();
    }

    @Test
    void deleteBlobRemovesEveryChunkAndTheRegistration() {
        long chunks = 2L * SEGMENT + 5;
        await(store.registerBlob(volume, blob));
        writeChunks(blob, chunks);

        await(store.deleteBlob(volume, blob));

        for (long i = 0; i < chunks; i++) {
            assertThat(read(blob, i)).as("chunk %d", i).isNull();
        }
        assertThat(await(store.listBlobs(volume))).isEmpty();
    }

    @Test
    void deleteBlobLeavesOtherBlobsOfTheVolumeAlone() {
        UUID other = UUID.randomUUID();
        await(store.registerBlob(volume, blob));
        await(store.registerBlob(volume, other));
        writeChunks(blob, 3);
        writeChunks(other, 3);

        await(store.deleteBlob(volume, blob));

        assertThat(read(other, 2)).isEqualTo(payload(2));
        assertThat(await(store.listBlobs(volume))).extracting(BlobRecord::blobId).containsExactly(other);
    }

    @Test
    void abandonedUploadOfUnknownLengthIsDeletedEntirely() {
        // An upload that stopped somewhere in its second segment; nobody recorded how far it got.
        await(store.registerBlob(volume, blob));
        writeChunks(blob, SEGMENT + 17);

        await(store.deleteBlob(volume, blob));

        assertThat(read(blob, 0)).isNull();
        assertThat(read(blob, SEGMENT + 16)).isNull();
        assertThat(await(store.listBlobs(volume))).isEmpty();
    }

    @Test
    void strayChunkInTheSegmentAfterTheFirstEmptyOneIsDeletedToo() {
        // Segments 0 and 1 written, 2 empty, and one chunk of segment 3 that was in flight when the
        // upload was abandoned.
        await(store.registerBlob(volume, blob));
        writeChunks(blob, 2L * SEGMENT);
        long stray = 3L * SEGMENT;
        await(store.writeChunk(blob, stray, small(stray)));

        await(store.deleteBlob(volume, blob));

        assertThat(read(blob, stray)).isNull();
    }

    @Test
    void deletingABlobThatDoesNotExistSucceeds() {
        await(store.deleteBlob(volume, blob));

        assertThat(await(store.listBlobs(volume))).isEmpty();
    }

    @Test
    void listBlobsShowsTheBlobsOfThatVolumeOnly() {
        UUID second = UUID.randomUUID();
        UUID elsewhere = UUID.randomUUID();
        long now = clock.get();
        await(store.registerBlob(volume, blob));
        await(store.registerBlob(volume, second));
        await(store.registerBlob(volume + 1, elsewhere));

        assertThat(await(store.listBlobs(volume)))
                .containsExactlyInAnyOrder(new BlobRecord(blob, now), new BlobRecord(second, now));
    }

    @Test
    void registeringAgainUpdatesTheTouchedTime() {
        long first = clock.get();
        await(store.registerBlob(volume, blob));
        long later = clock.addAndGet(60_000);

        await(store.registerBlob(volume, blob));

        assertThat(first).isLessThan(later);
        assertThat(await(store.listBlobs(volume))).containsExactly(new BlobRecord(blob, later));
    }

    @Test
    void storeConnectedAgainToTheSameKeyspaceSeesEarlierChunks() {
        await(store.writeChunk(blob, 9, small(9)));

        try (CassandraChunkStore again =
                CassandraChunkStore.connect(SharedCassandra.host(), SharedCassandra.port(), KEYSPACE, 1)) {
            assertThat(await(again.readChunk(blob, 9))).isEqualTo(small(9));
        }
    }
}

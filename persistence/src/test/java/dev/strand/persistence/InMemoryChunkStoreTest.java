package dev.strand.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryChunkStoreTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final InMemoryChunkStore store = new InMemoryChunkStore(clock::get);
    private final UUID blob = UUID.randomUUID();

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    private ByteBuffer read(UUID blobId, long index) {
        return store.readChunk(blobId, index).toCompletableFuture().join();
    }

    @Test
    void writtenChunkIsReadBack() {
        store.writeChunk(blob, 3, bytes("hello")).toCompletableFuture().join();

        assertThat(text(read(blob, 3))).isEqualTo("hello");
    }

    @Test
    void chunkNeverWrittenReadsAsNull() {
        store.writeChunk(blob, 0, bytes("x")).toCompletableFuture().join();

        assertThat(read(blob, 1)).isNull();
        assertThat(read(UUID.randomUUID(), 0)).isNull();
    }

    @Test
    void onlyTheRemainingBytesOfTheBufferAreStored() {
        ByteBuffer buffer = bytes("skip-keep");
        buffer.position(5);

        store.writeChunk(blob, 0, buffer).toCompletableFuture().join();

        assertThat(text(read(blob, 0))).isEqualTo("keep");
        assertThat(buffer.position()).as("caller's buffer untouched").isEqualTo(5);
    }

    @Test
    void writerReusingItsBufferDoesNotChangeTheStoredChunk() {
        byte[] array = "first".getBytes(StandardCharsets.UTF_8);
        store.writeChunk(blob, 0, ByteBuffer.wrap(array)).toCompletableFuture().join();

        System.arraycopy("XXXXX".getBytes(StandardCharsets.UTF_8), 0, array, 0, 5);

        assertThat(text(read(blob, 0))).isEqualTo("first");
    }

    @Test
    void readerModifyingWhatItReadDoesNotChangeTheStoredChunk() {
        store.writeChunk(blob, 0, bytes("first")).toCompletableFuture().join();

        read(blob, 0).put(0, (byte) 'X');

        assertThat(text(read(blob, 0))).isEqualTo("first");
    }

    @Test
    void chunkLargerThanChunkSizeIsRejected() {
        ByteBuffer tooBig = ByteBuffer.allocate(ChunkStore.CHUNK_SIZE + 1);

        assertThatThrownBy(() -> store.writeChunk(blob, 0, tooBig).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunkOfExactlyChunkSizeIsAccepted() {
        store.writeChunk(blob, 0, ByteBuffer.allocate(ChunkStore.CHUNK_SIZE)).toCompletableFuture().join();

        assertThat(read(blob, 0).remaining()).isEqualTo(ChunkStore.CHUNK_SIZE);
    }

    @Test
    void deleteBlobRemovesEveryChunkAndTheRegistration() {
        store.registerBlob(7, blob).toCompletableFuture().join();
        for (long i = 0; i < 200; i++) {
            store.writeChunk(blob, i, bytes("c" + i)).toCompletableFuture().join();
        }

        store.deleteBlob(7, blob).toCompletableFuture().join();

        assertThat(store.chunkCount()).isZero();
        assertThat(store.listBlobs(7).toCompletableFuture().join()).isEmpty();
    }

    @Test
    void deleteBlobLeavesOtherBlobsAlone() {
        UUID other = UUID.randomUUID();
        store.registerBlob(7, blob).toCompletableFuture().join();
        store.registerBlob(7, other).toCompletableFuture().join();
        store.writeChunk(blob, 0, bytes("gone")).toCompletableFuture().join();
        store.writeChunk(other, 0, bytes("stays")).toCompletableFuture().join();

        store.deleteBlob(7, blob).toCompletableFuture().join();

        assertThat(text(read(other, 0))).isEqualTo("stays");
        assertThat(store.listBlobs(7).toCompletableFuture().join())
                .extracting(ChunkStore.BlobRecord::blobId).containsExactly(other);
    }

    @Test
    void deletingABlobTwiceSucceeds() {
        store.registerBlob(7, blob).toCompletableFuture().join();
        store.deleteBlob(7, blob).toCompletableFuture().join();

        store.deleteBlob(7, blob).toCompletableFuture().join();

        assertThat(store.listBlobs(7).toCompletableFuture().join()).isEmpty();
    }

    @Test
    void listBlobsShowsOnlyTheBlobsOfThatVolume() {
        UUID elsewhere = UUID.randomUUID();
        store.registerBlob(1, blob).toCompletableFuture().join();
        store.registerBlob(2, elsewhere).toCompletableFuture().join();

        assertThat(store.listBlobs(1).toCompletableFuture().join())
                .containsExactly(new ChunkStore.BlobRecord(blob, 1_000));
        assertThat(store.listBlobs(3).toCompletableFuture().join()).isEmpty();
    }

    @Test
    void registeringAgainUpdatesTheTouchedTime() {
        store.registerBlob(1, blob).toCompletableFuture().join();
        clock.set(5_000);

        store.registerBlob(1, blob).toCompletableFuture().join();

        assertThat(store.listBlobs(1).toCompletableFuture().join())
                .containsExactly(new ChunkStore.BlobRecord(blob, 5_000));
    }

    @Test
    void concurrentWritersLoseNoChunk() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                long index = i;
                writes.add(pool.submit(() ->
                        store.writeChunk(blob, index, bytes("c" + index)).toCompletableFuture().join()));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(store.chunkCount()).isEqualTo(400);
        assertThat(text(read(blob, 399))).isEqualTo("c399");
    }

    @Test
    void closedStoreFailsEveryOperation() {
        store.close();

        assertThatThrownBy(() -> read(blob, 0)).hasCauseInstanceOf(IllegalStateException.class);
    }
}

package dev.strand.persistence;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link ChunkStore} in memory, for tests of the modules above persistence. Thread-safe; stages are
 * already complete when returned. Buffers are copied both ways, so neither the writer reusing its
 * buffer nor a reader modifying what it got can change stored chunks.
 */
public final class InMemoryChunkStore implements ChunkStore {

    private record ChunkKey(UUID blobId, long index) {}

    private final Map<ChunkKey, byte[]> chunks = new ConcurrentHashMap<>();
    private final Map<Long, Map<UUID, Long>> blobsByVolume = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;
    private volatile boolean closed;

    public InMemoryChunkStore() {
        this(System::currentTimeMillis);
    }

    /** With the clock that stamps registrations. */
    public InMemoryChunkStore(LongSupplier clockMillis) {
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    }

    @Override
    public CompletionStage<Void> registerBlob(long volumeId, UUID blobId) {
        Objects.requireNonNull(blobId, "blobId");
        if (closed) {
            return closedFailure();
        }
        blobsByVolume.computeIfAbsent(volumeId, v -> new ConcurrentHashMap<>())
                .put(blobId, clockMillis.getAsLong());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> writeChunk(UUID blobId, long index, ByteBuffer data) {
        Objects.requireNonNull(blobId, "blobId");
        Objects.requireNonNull(data, "data");
        if (closed) {
            return closedFailure();
        }
        if (index < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("negative chunk index " + index));
        }
        if (data.remaining() > CHUNK_SIZE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "chunk of " + data.remaining() + " bytes exceeds CHUNK_SIZE " + CHUNK_SIZE));
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        chunks.put(new ChunkKey(blobId, index), copy);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<ByteBuffer> readChunk(UUID blobId, long index) {
        Objects.requireNonNull(blobId, "blobId");
        if (closed) {
            return closedFailure();
        }
        byte[] stored = chunks.get(new ChunkKey(blobId, index));
        return CompletableFuture.completedFuture(stored == null ? null : ByteBuffer.wrap(stored.clone()));
    }

    @Override
    public CompletionStage<Void> deleteBlob(long volumeId, UUID blobId) {
        Objects.requireNonNull(blobId, "blobId");
        if (closed) {
            return closedFailure();
        }
        chunks.keySet().removeIf(key -> key.blobId().equals(blobId));
        Map<UUID, Long> blobs = blobsByVolume.get(volumeId);
        if (blobs != null) {
            blobs.remove(blobId);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<BlobRecord>> listBlobs(long volumeId) {
        if (closed) {
            return closedFailure();
        }
        Map<UUID, Long> blobs = blobsByVolume.getOrDefault(volumeId, Map.of());
        List<BlobRecord> records = blobs.entrySet().stream()
                .map(e -> new BlobRecord(e.getKey(), e.getValue()))
                .toList();
        return CompletableFuture.completedFuture(records);
    }

    /** Number of chunks stored, over all blobs (for tests that check cleanup). */
    public int chunkCount() {
        return chunks.size();
    }

    @Override
    public void close() {
        closed = true;
    }

    private static <T> CompletionStage<T> closedFailure() {
        return CompletableFuture.failedFuture(new IllegalStateException("chunk store is closed"));
    }
}

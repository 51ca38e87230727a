package dev.strand.persistence;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * File contents, beside the event journal (the journal holds only which blob makes up which data
 * version of a file). A blob is immutable once its store commits: a new store writes a new blob, so a
 * fetch in progress keeps reading a consistent version.
 *
 * <p>A blob is split into chunks of {@link #CHUNK_SIZE} bytes (the last may be shorter). Chunks are
 * grouped into segments of {@link #CHUNKS_PER_SEGMENT}; a segment is one Cassandra partition, so a huge
 * file is spread over many partitions and deleting a blob costs one tombstone per segment.
 *
 * <p>Every blob is registered under its volume ({@link #registerBlob}) before its first chunk is
 * written, and touched again as it grows, so that a collector can find blobs that no volume references
 * (abandoned uploads, blobs replaced while the server crashed) and delete them once they are idle.
 */
public interface ChunkStore extends AutoCloseable {

    /**
     * 256 KiB. Small enough that a chunk is a modest Cassandra mutation (far below the commit-log
     * segment's half, the hard limit) and cheap to hold while a few are in flight per stream; large
     * enough that per-row overhead is negligible (a 1 GiB file is 4096 rows) and that sequential
     * throughput is bound by bandwidth rather than by round trips.
     */
    int CHUNK_SIZE = 256 * 1024;

    /** 64 chunks = 16 MiB per Cassandra partition. */
    int CHUNKS_PER_SEGMENT = 64;

    /** Records that {@code blobId} belongs to {@code volumeId} and is alive as of now. Idempotent. */
    CompletionStage<Void> registerBlob(long volumeId, UUID blobId);

    /** Writes chunk {@code index} of a blob. {@code data} holds at most {@link #CHUNK_SIZE} bytes. */
    CompletionStage<Void> writeChunk(UUID blobId, long index, ByteBuffer data);

    /** Reads chunk {@code index}; completes with null if the chunk does not exist. */
    CompletionStage<ByteBuffer> readChunk(UUID blobId, long index);

    /** Deletes all chunks of a blob and its registration. Idempotent. */
    CompletionStage<Void> deleteBlob(long volumeId, UUID blobId);

    /** The blobs registered under a volume, with when each was last touched. */
    CompletionStage<List<BlobRecord>> listBlobs(long volumeId);

    /** A registered blob and the last time ({@code System.currentTimeMillis()}) it was touched. */
    record BlobRecord(UUID blobId, long touchedMillis) {}

    /** Chunk index that holds byte {@code offset} of a blob. */
    static long chunkIndex(long offset) {
        return offset / CHUNK_SIZE;
    }

    @Override
    void close();
}

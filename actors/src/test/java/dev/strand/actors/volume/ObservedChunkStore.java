package dev.strand.actors.volume;

import dev.strand.persistence.ChunkStore;
import org.apache.pekko.actor.typed.ActorRef;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** A chunk store that tells a test which blobs were deleted, once each deletion completed. */
final class ObservedChunkStore implements ChunkStore {

    private final ChunkStore delegate;
    private final ActorRef<UUID> deletions;

    ObservedChunkStore(ChunkStore delegate, ActorRef<UUID> deletions) {
        this.delegate = delegate;
        this.deletions = deletions;
    }

    @Override
    public CompletionStage<Void> registerBlob(long volumeId, UUID blobId) {
        return delegate.registerBlob(volumeId, blobId);
    }

    @Override
    public CompletionStage<Void> writeChunk(UUID blobId, long index, ByteBuffer data) {
        return delegate.writeChunk(blobId, index, data);
    }

    @Override
    public CompletionStage<ByteBuffer> readChunk(UUID blobId, long index) {
        return delegate.readChunk(blobId, index);
    }

    @Override
    public CompletionStage<Void> deleteBlob(long volumeId, UUID blobId) {
        return delegate.deleteBlob(volumeId, blobId).thenRun(() -> deletions.tell(blobId));
    }

    @Override
    public CompletionStage<List<BlobRecord>> listBlobs(long volumeId) {
        return delegate.listBlobs(volumeId);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

package dev.strand.actors.volume;

import dev.strand.volume.ReplicaPages;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.actors.volume.VolumeReplica.ListBlobReferences;
import dev.strand.actors.volume.VolumeReplica.ListBlobReferencesPage;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.actors.volume.VolumeReplica.SweepBlobs;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.error.BadRequestException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.Effect;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A replica's blob garbage: the delayed deletion of the blobs its mutations free, the sweep of a volume of
 * one replica, and the blob references a coordinator's sweep asks for (with more replicas, only the
 * coordinator deletes). Its fields are bookkeeping of asynchronous work on blobs, not the volume's state
 * (which is all in {@link Volume}).
 */
final class BlobGarbage {

    // its messages to itself (see VolumeReplica.Internal)

    record SweepTick() implements VolumeReplica.Internal {}

    record BlobsListed(List<ChunkStore.BlobRecord> blobs, Throwable failure, ActorRef<Result> replyTo)
            implements VolumeReplica.Internal {}

    record SweepFinished(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo)
            implements VolumeReplica.Internal {}

    record DeleteFreedBlob(UUID blobId) implements VolumeReplica.Internal {}

    record FreedBlobDeleted(UUID blobId, Throwable failure) implements VolumeReplica.Internal {}

    private final ReplicaScope scope;

    /** Freed blobs waiting for their delayed deletion; the sweep leaves them alone. */
    private final Set<UUID> pendingDeletes = new HashSet<>();
    private boolean sweeping;

    BlobGarbage(ReplicaScope scope) {
        this.scope = scope;
    }

    /** A blob freed and waiting for deletion must not become a file's contents again. */
    boolean isBeingDeleted(UUID blobId) {
        return pendingDeletes.contains(blobId);
    }

    /** A freed blob is deleted after a delay, so that fetches already reading it can finish. */
    void scheduleDeletion(UUID blobId) {
        if (blobId != null) {
            pendingDeletes.add(blobId);
            scope.timers.startSingleTimer(new DeleteFreedBlob(blobId), scope.settings.blobDeleteDelay());
        }
    }

    Effect<VolumeEvent, Volume> onDeleteFreedBlob(Volume volume, DeleteFreedBlob command) {
        if (volume.referencesBlob(command.blobId())) {
            pendingDeletes.remove(command.blobId());
            return scope.effects.none();
        }
        scope.context.pipeToSelf(deleteBlob(command.blobId()),
                (ok, failure) -> new FreedBlobDeleted(command.blobId(), failure));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onFreedBlobDeleted(FreedBlobDeleted message) {
        pendingDeletes.remove(message.blobId());
        if (message.failure() != null) {
            scope.context.getLog().warn("Could not delete freed blob {} of volume {}; the sweep will retry: {}",
                    message.blobId(), scope.volumeId, message.failure().toString());
        }
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onSweepBlobs(Volume volume, SweepBlobs command) {
        if (volume.replicas() > 1) {
            return scope.reject(command.replyTo(), new BadRequestException("replica " + scope.entityId
                    + " of a volume of " + volume.replicas()
                    + " replicas does not delete blobs itself; its coordinator sweeps"));
        }
        return startSweep(command.replyTo());
    }

    Effect<VolumeEvent, Volume> onSweepTick(Volume volume) {
        return sweeping || volume.replicas() > 1 ? scope.effects.none() : startSweep(null);
    }

    private Effect<VolumeEvent, Volume> startSweep(ActorRef<Result> replyTo) {
        sweeping = true;
        scope.context.pipeToSelf(listBlobs(), (blobs, failure) -> new BlobsListed(blobs, failure, replyTo));
        return scope.effects.none();
    }

    /**
     * Deletes the listed blobs that no vnode references, that are not already waiting for deletion and
     * that have not been touched for the idle age (a blob still being uploaded is touched as it grows).
     */
    Effect<VolumeEvent, Volume> onBlobsListed(Volume volume, BlobsListed message) {
        if (message.failure() != null) {
            return finishSweep(List.of(), message.failure(), message.replyTo());
        }
        long idleSince = System.currentTimeMillis() - scope.settings.idleBlobAge().toMillis();
        List<UUID> garbage = new ArrayList<>();
        for (ChunkStore.BlobRecord blob : message.blobs()) {
            if (garbage.size() >= scope.frames.uuidsPerPage()) {
                break; // a page per sweep: the answer fits one message, the rest goes next time
            }
            if (!volume.referencesBlob(blob.blobId()) && !pendingDeletes.contains(blob.blobId())
                    && blob.touchedMillis() < idleSince) {
                garbage.add(blob.blobId());
            }
        }
        CompletableFuture<?>[] deletions = garbage.stream()
                .map(blobId -> deleteBlob(blobId).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        scope.context.pipeToSelf(CompletableFuture.allOf(deletions),
                (ok, failure) -> new SweepFinished(List.copyOf(garbage), failure, message.replyTo()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onSweepFinished(SweepFinished message) {
        return finishSweep(message.deleted(), message.failure(), message.replyTo());
    }

    private Effect<VolumeEvent, Volume> finishSweep(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo) {
        sweeping = false;
        if (failure != null) {
            scope.context.getLog().warn("Blob sweep of volume {} failed: {}", scope.volumeId, failure.toString());
            if (replyTo != null) {
                replyTo.tell(new Result.Rejected(Status.IO_ERROR, "blob sweep of volume " + scope.volumeId
                        + " failed: " + failure.getMessage()));
            }
        } else {
            if (!deleted.isEmpty()) {
                scope.context.getLog().info("Blob sweep of volume {} deleted {} unreferenced blobs", scope.volumeId,
                        deleted.size());
            }
            if (replyTo != null) {
                replyTo.tell(new Result.Swept(deleted));
            }
        }
        return scope.effects.none();
    }

    private CompletionStage<Void> deleteBlob(UUID blobId) {
        try {
            return scope.chunks.deleteBlob(scope.volumeId, blobId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<List<ChunkStore.BlobRecord>> listBlobs() {
        try {
            return scope.chunks.listBlobs(scope.volumeId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- for the coordinator's sweep across the storage group ------------------------------------

    Effect<VolumeEvent, Volume> onListBlobReferences(Volume volume, ListBlobReferences command) {
        List<UUID> blobs = volume.referencedBlobs();
        if (blobs.size() > scope.frames.uuidsPerPage()) { // would not fit one message: the previous release's sweep skips
            return scope.reject(command.replyTo(), Status.UNAVAILABLE.exception("replica " + scope.entityId
                    + " references " + blobs.size() + " blobs, too many for one message; ask for pages"));
        }
        command.replyTo().tell(new Result.BlobReferences(scope.replicaIndex, blobs));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onListBlobReferencesPage(Volume volume, ListBlobReferencesPage command) {
        ReplicaPages.BlobPage page = ReplicaPages.blobReferences(volume, command.afterVnode(),
                scope.frames.uuidsPerPage());
        command.replyTo().tell(new Result.BlobReferencesPage(scope.replicaIndex, page.blobIds(), page.lastVnode(),
                page.last()));
        return scope.effects.none();
    }
}

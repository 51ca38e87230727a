package dev.strand.volume;

import dev.strand.protocol.FileSizes;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Reply;

import java.util.UUID;

/**
 * Commits a whole-file store: a blob that has been written completely becomes the file's contents, and
 * the blob it replaces is freed. The same blob committed again (a retry) changes nothing.
 */
public final class StoreMutation extends Mutation {

    private final Fid fid;
    private final UUID blobId;
    private final long length;
    private Vnode file;

    public StoreMutation(Origin origin, Fid fid, UUID blobId, long length) {
        super(origin);
        this.fid = fid;
        this.blobId = blobId;
        this.length = length;
    }

    @Override
    protected void validateParameters() {
        if (blobId == null) {
            throw new InvalidArgumentException("store of " + fid + " without a blob");
        }
        FileSizes.checkSize(length, "length of the store of " + fid);
    }

    @Override
    protected void getObjects(Volume volume) {
        file = volume.resolveRegularFile(fid);
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(file);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (!blobId.equals(file.blobId()) && volume.referencesBlob(blobId)) {
            throw new InvalidArgumentException("blob " + blobId + " already holds another file's contents");
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        if (blobId.equals(file.blobId())) {
            return new Outcome.Unchanged(volume.attr(file));
        }
        return commit(new VolumeEvent.ContentStored(origin, volume.fid(file), blobId, length,
                volume.nextVersion(file), file.blobId()));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(fid));
    }
}

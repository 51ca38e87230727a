package dev.strand.volume;

import dev.strand.protocol.FileSizes;
import dev.strand.protocol.Names;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.SetAttr;

import java.util.UUID;

/**
 * Changes permission bits, length and modification time (those not null). Changing the length is O(1):
 * shrinking only shortens the part of the blob that is read, growing only raises the size (zeros follow).
 * Cut to nothing, the file lets its blob go.
 */
public final class SetAttrMutation extends Mutation {

    private final SetAttr request;
    private Vnode vnode;

    public SetAttrMutation(Origin origin, SetAttr request) {
        super(origin);
        this.request = request;
    }

    @Override
    protected void validateParameters() {
        if (request.mode() != null) {
            Names.checkMode(request.mode());
        }
        if (request.size() != null) {
            FileSizes.checkSize(request.size(), "size");
        }
    }

    @Override
    protected void getObjects(Volume volume) {
        vnode = volume.resolve(request.fid());
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(vnode);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (request.size() != null && vnode.type() == FileType.DIRECTORY) {
            throw new IsADirectoryException("cannot set the size of directory " + request.fid());
        }
        if (request.size() != null && vnode.type() == FileType.SYMLINK) {
            throw new InvalidArgumentException("cannot set the size of symbolic link " + request.fid());
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        if (request.mode() == null && request.size() == null && request.mtimeMillis() == null) {
            return new Outcome.Unchanged(volume.attr(vnode));
        }
        UUID freed = request.size() != null && vnode.blobId() != null
                && Math.min(vnode.blobLength(), request.size()) == 0 ? vnode.blobId() : null;
        return commit(new VolumeEvent.AttributesSet(origin, volume.fid(vnode), request.mode(), request.size(),
                request.mtimeMillis(), volume.nextVersion(vnode), freed));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(request.fid()));
    }
}

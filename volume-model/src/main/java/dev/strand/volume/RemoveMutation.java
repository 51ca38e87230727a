package dev.strand.volume;

import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Reply;

/** Unlink: removes a name of a file or symbolic link; the last name takes the vnode and its blob along. */
public final class RemoveMutation extends Mutation {

    private final Remove request;
    private Vnode dir;
    private Vnode removed;

    public RemoveMutation(Origin origin, Remove request) {
        super(origin);
        this.request = request;
    }

    @Override
    protected void validateParameters() {
        entryName(request.name());
    }

    @Override
    protected void getObjects(Volume volume) {
        dir = volume.resolveDirectory(request.dir());
        removed = volume.vnode(requireEntry(volume, dir, request.name()));
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(dir);
        volume.requireNoConflict(removed);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (removed.isDirectory()) {
            throw new IsADirectoryException("'" + request.name() + "' in directory " + request.dir()
                    + " is a directory (use rmdir)");
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        boolean lastLink = removed.linkCount() <= 1;
        return commit(new VolumeEvent.EntryRemoved(origin, request.dir(), request.name(), volume.fid(removed),
                lastLink, volume.nextVersion(dir), volume.nextVersion(removed),
                lastLink ? removed.blobId() : null));
    }

    @Override
    public Reply reply(Volume after) {
        return Empty.INSTANCE;
    }
}

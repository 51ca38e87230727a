package dev.strand.volume;

import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotEmptyException;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.RmDir;

/** Removes an empty directory. */
public final class RmDirMutation extends Mutation {

    private final RmDir request;
    private Vnode parent;
    private Vnode removed;

    public RmDirMutation(Origin origin, RmDir request) {
        super(origin);
        this.request = request;
    }

    @Override
    protected void validateParameters() {
        entryName(request.name());
    }

    @Override
    protected void getObjects(Volume volume) {
        parent = volume.resolveDirectory(request.dir());
        removed = volume.vnode(requireEntry(volume, parent, request.name()));
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(parent);
        volume.requireNoConflict(removed);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (!removed.isDirectory()) {
            throw new NotADirectoryException("'" + request.name() + "' in directory " + request.dir()
                    + " is not a directory");
        }
        if (removed.hasEntries()) {
            throw new NotEmptyException("directory '" + request.name() + "' (" + volume.fid(removed)
                    + ") is not empty");
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        return commit(new VolumeEvent.DirectoryRemoved(origin, request.dir(), request.name(), volume.fid(removed),
                volume.nextVersion(parent)));
    }

    @Override
    public Reply reply(Volume after) {
        return Empty.INSTANCE;
    }
}

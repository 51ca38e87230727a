package dev.strand.volume;

import dev.strand.protocol.Names;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Reply;

/** Creates an empty directory; its ".." is one more link of the parent. */
public final class MkDirMutation extends Mutation {

    private final MkDir request;
    private Vnode parent;
    private Fid created;

    public MkDirMutation(Origin origin, MkDir request) {
        super(origin);
        this.request = request;
    }

    @Override
    protected void validateParameters() {
        entryName(request.name());
        Names.checkMode(request.mode());
    }

    @Override
    protected void getObjects(Volume volume) {
        parent = volume.resolveDirectory(request.dir());
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(parent);
        volume.requireNoConflict(parent, request.name());
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        requireAbsent(volume, parent, request.name());
        requireLinkRoom(volume, parent);
    }

    @Override
    protected Outcome perform(Volume volume) {
        created = newFid(volume);
        return commit(new VolumeEvent.DirectoryCreated(origin, request.dir(), request.name(), created,
                request.mode(), volume.nextVersion(parent), volume.firstVersion()));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(created));
    }
}

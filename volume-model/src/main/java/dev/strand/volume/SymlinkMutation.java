package dev.strand.volume;

import dev.strand.protocol.Names;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Symlink;

/** Creates a symbolic link. Its target is any text: it is not resolved, and may dangle. */
public final class SymlinkMutation extends Mutation {

    private final Symlink request;
    private Vnode dir;
    private Fid created;

    public SymlinkMutation(Origin origin, Symlink request) {
        super(origin);
        this.request = request;
    }

    @Override
    protected void validateParameters() {
        entryName(request.name());
        Names.checkSymlinkTarget(request.target());
    }

    @Override
    protected void getObjects(Volume volume) {
        dir = volume.resolveDirectory(request.dir());
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(dir);
        volume.requireNoConflict(dir, request.name());
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        requireAbsent(volume, dir, request.name());
    }

    @Override
    protected Outcome perform(Volume volume) {
        created = newFid(volume);
        return commit(new VolumeEvent.SymlinkCreated(origin, request.dir(), request.name(), created,
                request.target(), volume.nextVersion(dir), volume.firstVersion()));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(created));
    }
}

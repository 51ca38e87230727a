package dev.strand.volume;

import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.Reply;

/** A hard link: another name for a file or symbolic link in the same volume. Directories are refused. */
public final class LinkMutation extends Mutation {

    private final Link request;
    private Vnode dir;
    private Vnode target;

    public LinkMutation(Origin origin, Link request) {
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
        target = volume.resolveAlongside(request.target(), request.dir());
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(dir);
        volume.requireNoConflict(dir, request.name());
        volume.requireNoConflict(target);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (target.isDirectory()) {
            throw new IsADirectoryException("cannot make a hard link to directory " + request.target());
        }
        requireAbsent(volume, dir, request.name());
        requireLinkRoom(volume, target);
    }

    @Override
    protected Outcome perform(Volume volume) {
        return commit(new VolumeEvent.LinkAdded(origin, request.dir(), request.name(), request.target(),
                volume.nextVersion(dir), volume.nextVersion(target)));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(request.target()));
    }
}

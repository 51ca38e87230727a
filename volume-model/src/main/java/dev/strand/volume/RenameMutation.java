package dev.strand.volume;

import dev.strand.protocol.error.InvalidMoveException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotEmptyException;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Reply;

/**
 * Moves a name as POSIX rename(2) does: an existing target of a compatible kind (a non-directory over a
 * non-directory, a directory over an empty directory) is replaced; two names of the same vnode make it a
 * successful no-op; a directory may not move into itself or below itself. A directory that changes
 * parent takes its ".." along: the old parent loses a link, the new one gains one.
 */
public final class RenameMutation extends Mutation {

    private final Rename request;
    private Vnode fromDir;
    private Vnode toDir;
    private Vnode moved;
    private Vnode replaced;

    public RenameMutation(Origin origin, Rename request) {
        super(origin);
        this.request = request;
    }

    @Override
    protected void validateParameters() {
        entryName(request.fromName());
        entryName(request.toName());
    }

    @Override
    protected void getObjects(Volume volume) {
        fromDir = volume.resolveDirectory(request.fromDir());
        toDir = volume.resolveAlongside(request.toDir(), request.fromDir());
        if (!toDir.isDirectory()) {
            throw new NotADirectoryException(request.toDir() + " is not a directory");
        }
        moved = volume.vnode(requireEntry(volume, fromDir, request.fromName()));
        DirectoryEntry target = toDir.entry(request.toName());
        replaced = target == null ? null : volume.vnode(target);
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(fromDir);
        volume.requireNoConflict(toDir);
        volume.requireNoConflict(moved);
        volume.requireNoConflict(toDir, request.toName());
        volume.requireNoConflict(replaced);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (replaced == moved) {
            return; // the same vnode under both names: nothing to do
        }
        if (moved.isDirectory()) {
            if (replaced != null && !replaced.isDirectory()) {
                throw new NotADirectoryException("cannot replace '" + request.toName() + "' in directory "
                        + request.toDir() + ", which is not a directory, with directory '" + request.fromName() + "'");
            }
            if (replaced != null && replaced.hasEntries()) {
                throw new NotEmptyException("cannot replace directory '" + request.toName() + "' in directory "
                        + request.toDir() + ": it is not empty");
            }
            requireNotBelowItself(volume);
            if (fromDir != toDir && replaced == null) {
                requireLinkRoom(volume, toDir);
            }
        } else if (replaced != null && replaced.isDirectory()) {
            throw new IsADirectoryException("cannot replace directory '" + request.toName() + "' in directory "
                    + request.toDir() + " with non-directory '" + request.fromName() + "'");
        }
    }

    /** The target directory must not be the moved directory or below it (walks up to the root). */
    private void requireNotBelowItself(Volume volume) {
        Vnode v = toDir;
        while (true) {
            if (v == moved) {
                throw new InvalidMoveException("cannot move directory '" + request.fromName() + "' ("
                        + volume.fid(moved) + ") into itself or below itself (" + request.toDir() + ")");
            }
            if (v.number() == Fid.ROOT_VNODE) {
                return;
            }
            v = volume.vnode(v.parent());
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        if (replaced == moved) {
            return new Outcome.Unchanged(Empty.INSTANCE);
        }
        VnodeVersion fromVersion = volume.nextVersion(fromDir);
        VnodeVersion toVersion = fromDir == toDir ? fromVersion : volume.nextVersion(toDir);
        boolean replacedLastLink = replaced != null && (replaced.isDirectory() || replaced.linkCount() <= 1);
        return commit(new VolumeEvent.Renamed(origin, request.fromDir(), request.fromName(), request.toDir(),
                request.toName(), volume.fid(moved),
                replaced == null ? null : volume.fid(replaced), replacedLastLink,
                fromVersion, toVersion, volume.nextVersion(moved),
                replaced == null ? null : volume.nextVersion(replaced),
                replacedLastLink ? replaced.blobId() : null));
    }

    @Override
    public Reply reply(Volume after) {
        return Empty.INSTANCE;
    }
}

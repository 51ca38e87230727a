package dev.strand.volume;

import dev.strand.protocol.FileSizes;
import dev.strand.protocol.Names;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Reply;

import java.util.UUID;

/**
 * A PUT: an already written blob becomes the whole contents of the regular file {@code name} in {@code dir}, in one
 * event. A free name gets a new file with those contents ({@link VolumeEvent.FileCreated} with its blob); an existing
 * regular file is stored in place ({@link VolumeEvent.ContentStored}, as a STORE: fid, links and mode kept). A
 * directory is IS_A_DIRECTORY; a symbolic link is EXISTS (the client follows it and stores to its target).
 */
public final class PutMutation extends Mutation {

    private final Fid dirFid;
    private final String name;
    private final int mode;
    private final UUID blobId;
    private final long length;
    private Vnode dir;
    private Vnode existing;
    private Fid written;

    public PutMutation(Origin origin, Fid dir, String name, int mode, UUID blobId, long length) {
        super(origin);
        this.dirFid = dir;
        this.name = name;
        this.mode = mode;
        this.blobId = blobId;
        this.length = length;
    }

    @Override
    protected void validateParameters() {
        entryName(name);
        Names.checkMode(mode);
        if (blobId == null) {
            throw new InvalidArgumentException("put of '" + name + "' without a blob");
        }
        FileSizes.checkSize(length, "length of the put of '" + name + "'");
    }

    @Override
    protected void getObjects(Volume volume) {
        dir = volume.resolveDirectory(dirFid);
        DirectoryEntry entry = dir.entry(name);
        existing = entry == null ? null : volume.vnode(entry);
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(dir);
        volume.requireNoConflict(dir, name);
        volume.requireNoConflict(existing);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (existing != null && existing.type() == FileType.DIRECTORY) {
            throw new IsADirectoryException("'" + name + "' in directory " + volume.fid(dir) + " is a directory");
        }
        if (existing != null && existing.type() != FileType.FILE) {
            throw new ExistsException("'" + name + "' already exists in directory " + volume.fid(dir)
                    + " and is not a regular file");
        }
        if ((existing == null || !blobId.equals(existing.blobId())) && volume.referencesBlob(blobId)) {
            throw new InvalidArgumentException("blob " + blobId + " already holds another file's contents");
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        if (existing != null) {
            written = volume.fid(existing);
            if (blobId.equals(existing.blobId())) {
                return new Outcome.Unchanged(volume.attr(existing));
            }
            return commit(new VolumeEvent.ContentStored(origin, written, blobId, length, volume.nextVersion(existing),
                    existing.blobId()));
        }
        written = newFid(volume);
        return commit(new VolumeEvent.FileCreated(origin, dirFid, name, written, mode, volume.nextVersion(dir),
                volume.firstVersion(), blobId, length));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(written));
    }
}

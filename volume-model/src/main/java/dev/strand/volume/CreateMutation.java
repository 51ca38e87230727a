package dev.strand.volume;

import dev.strand.protocol.Names;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Reply;

/**
 * Creates an empty regular file. Without {@code exclusive} an existing regular file of that name is the
 * answer as it is (open with O_CREAT); anything else of that name is EXISTS.
 */
public final class CreateMutation extends Mutation {

    private final Create request;
    private Vnode dir;
    private Vnode existing;
    private Fid created;

    public CreateMutation(Origin origin, Create request) {
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
        dir = volume.resolveDirectory(request.dir());
        DirectoryEntry entry = dir.entry(request.name());
        existing = entry == null ? null : volume.vnode(entry);
    }

    @Override
    protected void checkConflicts(Volume volume) {
        volume.requireNoConflict(dir);
        volume.requireNoConflict(dir, request.name());
        volume.requireNoConflict(existing);
    }

    @Override
    protected void checkIntegrity(Volume volume) {
        if (existing != null && (request.exclusive() || existing.type() != FileType.FILE)) {
            throw new ExistsException("'" + request.name() + "' already exists in directory " + volume.fid(dir)
                    + (existing.type() == FileType.FILE ? "" : " and is not a regular file"));
        }
    }

    @Override
    protected Outcome perform(Volume volume) {
        if (existing != null) {
            return new Outcome.Unchanged(volume.attr(existing));
        }
        created = newFid(volume);
        return commit(new VolumeEvent.FileCreated(origin, request.dir(), request.name(), created,
                request.mode(), volume.nextVersion(dir), volume.firstVersion()));
    }

    @Override
    public Reply reply(Volume after) {
        return after.attr(after.resolve(created));
    }
}

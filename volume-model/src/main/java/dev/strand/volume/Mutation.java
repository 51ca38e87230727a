package dev.strand.volume;

import dev.strand.protocol.Names;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.TooManyLinksException;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Symlink;

/**
 * One change of a volume, decided in the one place that checks semantics, in the shape of Coda's server
 * RPCs: validate parameters -> get objects -> check semantics (conflicts, concurrency, integrity, permissions) ->
 * perform, which builds exactly one event (or decides that nothing needs to change). Committing the event
 * is the replica's job; {@link #reply} then reads the answer from the changed volume.
 *
 * <p>{@link #plan} only reads the volume. Each failure is the protocol exception of its status, with a
 * message that names the object. A mutation is used for one request only: the objects it resolves are
 * kept in its fields (Coda's vlist).
 */
public abstract class Mutation {

    protected final Origin origin;
    /** The operation id COP1 gave this mutation (0: none); the fid of an object it creates derives from it. */
    private long operationId;

    /** Who asked, for retries and for resolution. */
    public final Origin origin() {
        return origin;
    }

    protected Mutation(Origin origin) {
        this.origin = origin;
    }

    /** The mutation for a namespace request, or null if {@code request} is not one. */
    public static Mutation of(Request request, Origin origin) {
        if (request instanceof Create r) {
            return new CreateMutation(origin, r);
        }
        if (request instanceof MkDir r) {
            return new MkDirMutation(origin, r);
        }
        if (request instanceof Symlink r) {
            return new SymlinkMutation(origin, r);
        }
        if (request instanceof Link r) {
            return new LinkMutation(origin, r);
        }
        if (request instanceof Remove r) {
            return new RemoveMutation(origin, r);
        }
        if (request instanceof RmDir r) {
            return new RmDirMutation(origin, r);
        }
        if (request instanceof Rename r) {
            return new RenameMutation(origin, r);
        }
        if (request instanceof SetAttr r) {
            return new SetAttrMutation(origin, r);
        }
        return null;
    }

    /** This mutation runs as operation {@code opId} of the volume's coordinator (COP1): see {@link Volume#newFid}. */
    public final Mutation underOperation(long opId) {
        this.operationId = opId;
        return this;
    }

    /** Runs the pipeline against the current state. Changes nothing; throws the failure, if any. */
    public final Outcome plan(Volume volume) {
        validateParameters();
        getObjects(volume);
        checkConflicts(volume);
        checkConcurrency(volume);
        checkIntegrity(volume);
        checkPermissions(volume);
        return perform(volume);
    }

    /** The reply, read from the volume after the event was applied. */
    public abstract Reply reply(Volume after);

    /** Checks the request on its own: names, modes, sizes. */
    protected abstract void validateParameters();

    /** Resolves the fids (STALE, CROSS_VOLUME) and looks up the names the operation touches. */
    protected abstract void getObjects(Volume volume);

    /**
     * CONFLICT if the request touches an object or a name in conflict (resolution could not merge it): every object
     * and name {@link #getObjects} found, through {@link Volume#requireNoConflict}. The names looked up must exist
     * ({@link #requireEntry}) are checked there, before a NOT_FOUND of a name one replica removed.
     */
    protected abstract void checkConflicts(Volume volume);

    /**
     * Nothing to check while a volume has one replica: its actor runs one command at a time. With
     * replicated volumes, this is where the versions the client based its request on are compared.
     */
    protected void checkConcurrency(Volume volume) {}

    /** The file-system rules: what must exist, what must not, what may not become what. */
    protected abstract void checkIntegrity(Volume volume);

    /**
     * Allows everything until authentication lands (roadmap issue 4): then the origin's principal is
     * checked against the ACLs of the objects resolved in {@link #getObjects}.
     */
    protected void checkPermissions(Volume volume) {}

    protected abstract Outcome perform(Volume volume);

    // ---- helpers shared by the operations ----------------------------------------------------

    protected static String entryName(String name) {
        return Names.checkEntryName(name);
    }

    protected static DirectoryEntry requireEntry(Volume volume, Vnode dir, String name) {
        volume.requireNoConflict(dir, name);
        DirectoryEntry entry = dir.entry(name);
        if (entry == null) {
            throw new NotFoundException("no entry '" + name + "' in directory " + volume.fid(dir));
        }
        return entry;
    }

    protected static void requireAbsent(Volume volume, Vnode dir, String name) {
        if (dir.entry(name) != null) {
            throw new ExistsException("'" + name + "' already exists in directory " + volume.fid(dir));
        }
    }

    /** Refuses a change that would give {@code vnode} one more link than it may have. */
    protected static void requireLinkRoom(Volume volume, Vnode vnode) {
        if (vnode.linkCount() >= Vnode.MAX_LINK_COUNT) {
            throw new TooManyLinksException(volume.fid(vnode) + " already has " + vnode.linkCount()
                    + " links, the most there may be");
        }
    }

    /** The fid of the object this mutation creates. */
    protected final Fid newFid(Volume volume) {
        return volume.newFid(operationId);
    }

    protected Outcome commit(VolumeEvent event) {
        return new Outcome.Commit(event);
    }
}

package dev.strand.volume;

import dev.strand.cop2.OperationIds;
import dev.strand.protocol.message.Fid;
import dev.strand.replication.VersionVector;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A volume's vnodes by number, the counters that allocate new fids, and what is derived from the vnodes (usage
 * figures, the blob index), kept in step. Only {@link Volume}'s event handler calls the changing methods: this class
 * is the part of that handler that applies a mutation's event ({@link #apply}) or a catch-up's installed vnodes.
 */
final class VnodeTable {

    /** By number, in number order, so that catching up can page through them (see {@link VnodeSync}). */
    private final VnodeIndex vnodes = new VnodeIndex();
    private long nextVnode = Fid.ROOT_VNODE + 1;
    private long nextUnique = Volume.ROOT_UNIQUE + 1;
    /** The vnodes' version vectors and owners, each equal value once. */
    private final SharedValues shared = new SharedValues();

    // derived from the vnodes (rebuilt from a snapshot, never stored)
    private final Map<UUID, Long> blobOwners = new HashMap<>();
    private long files;
    private long directories;
    private long symlinks;
    /** Exact: sizes of up to 2^63-1 from events written before the size limit would wrap a long. */
    private BigInteger bytes = BigInteger.ZERO;

    // ---- reading ----------------------------------------------------------------------------

    Vnode get(long number) {
        return vnodes.get(number);
    }

    boolean contains(long number) {
        return vnodes.get(number) != null;
    }

    int size() {
        return vnodes.size();
    }

    /** Numbers above {@code number} and at most {@code upTo}; valid until the next change. */
    Iterator<Vnode> between(long number, long upTo) {
        return vnodes.between(number, upTo);
    }

    long nextVnode() {
        return nextVnode;
    }

    long nextUnique() {
        return nextUnique;
    }

    long files() {
        return files;
    }

    long directories() {
        return directories;
    }

    long symlinks() {
        return symlinks;
    }

    /** Sum of the regular files' sizes; 2^63-1 if it is larger (it cannot wrap). */
    long bytes() {
        return bytes.bitLength() < Long.SIZE ? bytes.longValue() : Long.MAX_VALUE;
    }

    boolean referencesBlob(UUID blobId) {
        return blobOwners.containsKey(blobId);
    }

    List<UUID> referencedBlobs() {
        return List.copyOf(blobOwners.keySet());
    }

    /** Every vnode as a snapshot record, in number order. */
    List<VolumeSnapshot.VnodeRecord> records() {
        List<VolumeSnapshot.VnodeRecord> records = new ArrayList<>(vnodes.size());
        for (Iterator<Vnode> it = vnodes.all(); it.hasNext(); ) {
            Vnode v = it.next();
            records.add(v.toRecord(v.entryRecords()));
        }
        return records;
    }

    // ---- changing (from the event handler only) ---------------------------------------------------

    /** One mutation's event. The volume's own vector and logs are the caller's business. */
    void apply(VolumeEvent.MutationEvent event) {
        if (event instanceof VolumeEvent.FileCreated e) {
            Vnode file = Vnode.newFile(e.file(), e.mode(), e.origin().principal(), e.origin().timeMillis(),
                    e.fileVersion());
            if (e.blobId() != null) { // created with its contents (PUT), before add() counts them
                file.setContents(e.blobId(), e.length());
            }
            addEntry(e.dir(), e.name(), file, e.dirVersion(), e.origin()); // counts its bytes and blob
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            Vnode dir = Vnode.newDirectory(e.directory(), e.dir().vnode(), e.mode(), e.origin().principal(),
                    e.origin().timeMillis(), e.directoryVersion());
            addEntry(e.dir(), e.name(), dir, e.dirVersion(), e.origin());
            vnodes.get(e.dir().vnode()).addLink(); // the new directory's ".."
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            Vnode link = Vnode.newSymlink(e.symlink(), e.target(), e.origin().principal(), e.origin().timeMillis(),
                    e.symlinkVersion());
            addEntry(e.dir(), e.name(), link, e.dirVersion(), e.origin());
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            onLinkAdded(e);
        } else if (event instanceof VolumeEvent.EntryRemoved e) {
            Vnode dir = vnodes.get(e.dir().vnode());
            dir.removeEntry(e.name());
            dir.stampModified(e.dirVersion(), e.origin().timeMillis());
            unlink(vnodes.get(e.removed().vnode()), e.lastLink(), e.removedVersion(), e.origin());
        } else if (event instanceof VolumeEvent.DirectoryRemoved e) {
            Vnode dir = vnodes.get(e.dir().vnode());
            dir.removeEntry(e.name());
            dir.dropLink(); // the removed directory's ".."
            dir.stampModified(e.dirVersion(), e.origin().timeMillis());
            remove(vnodes.get(e.removed().vnode()));
        } else if (event instanceof VolumeEvent.Renamed e) {
            onRenamed(e);
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            onAttributesSet(e);
        } else if (event instanceof VolumeEvent.ContentStored e) {
            onContentStored(e);
        } else {
            throw new IllegalStateException("no handler for event " + event.getClass().getName());
        }
        share(event.touchedVnodes());
    }

    /** The vnodes of these numbers still here take the shared instances of their vectors. */
    private void share(List<Long> numbers) {
        for (Long number : numbers) {
            Vnode v = vnodes.get(number);
            if (v != null) {
                v.share(shared);
            }
        }
    }

    /** COP2: the other replicas' {@code slots} go up in the version of every vnode of {@code numbers} still here. */
    void incrementSlots(List<Long> numbers, List<Integer> slots) {
        for (Long number : numbers) {
            Vnode v = vnodes.get(number);
            if (v != null) {
                VersionVector vv = v.version().versionVector();
                for (int slot : slots) {
                    vv = vv.increment(slot);
                }
                v.setVersion(new VnodeVersion(v.version().dataVersion(), vv));
                v.share(shared);
            }
        }
    }

    /**
     * CATCH-UP: each record replaces the vnode of its number (or adds it); {@code removed} go. A directory listed in
     * {@code incomplete} got only the first of its entries: until {@link VolumeEvent.EntriesInstalled} completes it,
     * it carries data version 0, which no source vnode has, so an interrupted catch-up copies it again.
     */
    void install(VolumeEvent.VnodesInstalled e, int replicas) {
        for (Long number : e.removed()) {
            Vnode gone = vnodes.get(number);
            if (gone != null) {
                remove(gone);
            }
        }
        for (VolumeSnapshot.VnodeRecord record : e.vnodes()) {
            Vnode old = vnodes.get(record.vnode());
            if (old != null) {
                remove(old);
            }
            Vnode installed = Vnode.restore(record);
            if (e.incomplete().contains(record.vnode())) {
                installed.setVersion(new VnodeVersion(0, VersionVector.ofSize(replicas)));
            }
            add(installed); // shares its values
            if (installed.isDirectory()) {
                installed.shareEntries(vnodes::get);
            }
        }
    }

    void install(VolumeEvent.EntriesInstalled e) {
        Vnode dir = vnodes.get(e.vnode());
        if (dir == null || !dir.isDirectory()) {
            return; // replaced or removed since its first entries came
        }
        for (VolumeSnapshot.EntryRecord entry : e.entries()) {
            DirectoryEntry restored = new DirectoryEntry(entry.vnode(), entry.unique(), entry.type());
            Vnode named = vnodes.get(entry.vnode());
            dir.putEntry(entry.name(), named != null && named.asEntry().equals(restored) ? named.asEntry() : restored);
        }
        if (e.completedVersion() != null) {
            dir.setVersion(e.completedVersion());
            dir.share(shared);
        }
    }

    /** Every directory's entries share the identities of the vnodes they name (after a snapshot's vnodes were added). */
    void shareEntries() {
        for (Iterator<Vnode> it = vnodes.all(); it.hasNext(); ) {
            Vnode v = it.next();
            if (v.isDirectory()) {
                v.shareEntries(vnodes::get);
            }
        }
    }

    /** The counters of the replica this one became a copy of (never lowered below what the vnodes need). */
    void adoptCounters(long nextVnode, long nextUnique) {
        this.nextVnode = nextVnode;
        this.nextUnique = nextUnique;
    }

    /** Raises the counters to at least these (a snapshot's, after its vnodes were added). */
    void raiseCounters(long nextVnode, long nextUnique) {
        this.nextVnode = Math.max(this.nextVnode, nextVnode);
        this.nextUnique = Math.max(this.nextUnique, nextUnique);
    }

    void add(Vnode v) {
        v.share(shared);
        vnodes.put(v);
        if (v.number() < OperationIds.FIRST) { // a vnode numbered by its operation leaves the counters alone
            nextVnode = Math.max(nextVnode, v.number() + 1);
            nextUnique = Math.max(nextUnique, v.unique() + 1);
        }
        count(v, +1);
    }

    private void addEntry(Fid dirFid, String name, Vnode created, VnodeVersion dirVersion, Origin origin) {
        add(created);
        Vnode dir = vnodes.get(dirFid.vnode());
        dir.putEntry(name, created.asEntry());
        dir.stampModified(dirVersion, origin.timeMillis());
    }

    private void onLinkAdded(VolumeEvent.LinkAdded e) {
        Vnode target = vnodes.get(e.target().vnode());
        Vnode dir = vnodes.get(e.dir().vnode());
        dir.putEntry(e.name(), target.asEntry());
        dir.stampModified(e.dirVersion(), e.origin().timeMillis());
        target.addLink();
        target.stamp(e.targetVersion(), e.origin().timeMillis());
    }

    private void onRenamed(VolumeEvent.Renamed e) {
        long time = e.origin().timeMillis();
        Vnode from = vnodes.get(e.fromDir().vnode());
        Vnode to = vnodes.get(e.toDir().vnode());
        Vnode moved = vnodes.get(e.moved().vnode());
        from.removeEntry(e.fromName());
        if (e.replaced() != null) {
            Vnode replaced = vnodes.get(e.replaced().vnode());
            to.removeEntry(e.toName());
            if (replaced.isDirectory()) {
                to.dropLink();
                remove(replaced);
            } else {
                unlink(replaced, e.replacedLastLink(), e.replacedVersion(), e.origin());
            }
        }
        to.putEntry(e.toName(), moved.asEntry());
        if (moved.isDirectory() && from != to) {
            from.dropLink();
            to.addLink();
            moved.setParent(to.number());
        }
        from.stampModified(e.fromDirVersion(), time);
        to.stampModified(e.toDirVersion(), time);
        moved.stamp(e.movedVersion(), time);
    }

    private void onAttributesSet(VolumeEvent.AttributesSet e) {
        long time = e.origin().timeMillis();
        Vnode v = vnodes.get(e.fid().vnode());
        if (e.mode() != null) {
            v.setMode(e.mode());
        }
        if (e.size() != null) {
            addBytes(e.size() - v.size());
            v.resize(e.size());
            v.setMtime(time);
        }
        if (e.freedBlob() != null) {
            blobOwners.remove(e.freedBlob());
            v.dropContents();
        }
        if (e.mtimeMillis() != null) {
            v.setMtime(e.mtimeMillis());
        }
        v.stamp(e.version(), time);
    }

    private void onContentStored(VolumeEvent.ContentStored e) {
        Vnode v = vnodes.get(e.fid().vnode());
        if (v.blobId() != null) {
            blobOwners.remove(v.blobId());
        }
        addBytes(e.length() - v.size());
        v.setContents(e.blobId(), e.length());
        blobOwners.put(e.blobId(), v.number());
        v.stampModified(e.version(), e.origin().timeMillis());
    }

    /** One name of a non-directory went; with the last one, the vnode goes too. */
    private void unlink(Vnode v, boolean lastLink, VnodeVersion version, Origin origin) {
        v.dropLink();
        if (lastLink) {
            remove(v);
        } else {
            v.stamp(version, origin.timeMillis());
        }
    }

    private void remove(Vnode v) {
        vnodes.remove(v.number());
        count(v, -1);
    }

    /** {@code delta} is a difference of two sizes, each 0 to 2^63-1: it fits a long. */
    private void addBytes(long delta) {
        bytes = bytes.add(BigInteger.valueOf(delta));
    }

    /** Keeps the usage figures and the blob index in step with the vnodes. */
    private void count(Vnode v, int sign) {
        switch (v.type()) {
            case FILE -> {
                files += sign;
                addBytes(sign * v.size());
                if (v.blobId() != null) {
                    if (sign > 0) {
                        blobOwners.put(v.blobId(), v.number());
                    } else {
                        blobOwners.remove(v.blobId());
                    }
                }
            }
            case DIRECTORY -> directories += sign;
            case SYMLINK -> symlinks += sign;
        }
    }
}

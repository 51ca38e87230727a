package dev.strand.volume;

import dev.strand.cop2.OperationIds;
import dev.strand.cop2.PendingCop2;
import dev.strand.protocol.error.CrossVolumeException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.replication.VersionVector;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The state of one replica of one volume: its vnodes by number, the counters that allocate new fids,
 * usage figures and the volume's version vector. Pure Java (no Pekko), so the model is tested directly.
 *
 * <p>{@link #apply} is the event handler and the only code that changes a volume. Everything else reads:
 * fid resolution for the mutation pipeline ({@link Mutation}) and the reads ({@link VolumeReads}).
 */
public final class Volume {

    /** The uniquifier of every volume's root. */
    public static final long ROOT_UNIQUE = 1;
    /** The uniquifier of a vnode numbered by its operation id: the number is never reused, so one value does. */
    public static final long OPERATION_UNIQUE = 1;

    private boolean initialized;
    private long volumeId;
    private String volumeName;
    private long createdMillis;
    private int replicaIndex;
    private int replicas;
    private VersionVector versionVector;

    /** By number, in number order, so that catching up can page through them (see {@link VnodeSync}). */
    private final NavigableMap<Long, Vnode> vnodes = new TreeMap<>();
    private long nextVnode = Fid.ROOT_VNODE + 1;
    private long nextUnique = ROOT_UNIQUE + 1;
    /** Replicated operations applied here whose update set (COP2) has not arrived yet. */
    private PendingCop2 pendingCop2 = new PendingCop2();
    /** RETRIES: the mutations applied recently, by (client id, request id); rebuilt from the events' origins. */
    private RecentRequests recentRequests = new RecentRequests();
    /** RESOLUTION: this replica's operations not yet known to be everywhere (bounded by its limit). */
    private ResolutionLog resolutionLog;
    /**
     * The mutation event just applied, until the {@link VolumeEvent.OperationRecorded} persisted right after it (in
     * the same atomic write) names its operation. Never in a snapshot: Pekko snapshots after a whole write.
     */
    private VolumeEvent lastMutation;

    // derived from the vnodes (rebuilt from a snapshot, never stored)
    private final Map<UUID, Long> blobOwners = new HashMap<>();
    private long files;
    private long directories;
    private long symlinks;
    /** Exact: sizes of up to 2^63-1 from events written before the size limit would wrap a long. */
    private BigInteger bytes = BigInteger.ZERO;

    private Volume(int resolutionLogLimit) {
        resolutionLog = new ResolutionLog(resolutionLogLimit);
    }

    /** A replica that has not been initialised: no root, no vnodes. {@link #apply} never changes it. */
    public static Volume uninitialized() {
        return uninitialized(ResolutionLog.DEFAULT_LIMIT);
    }

    /** As {@link #uninitialized()}, with the resolution log bounded to {@code resolutionLogLimit} entries. */
    public static Volume uninitialized(int resolutionLogLimit) {
        return new Volume(resolutionLogLimit);
    }

    // ---- reading ----------------------------------------------------------------------------

    public boolean isInitialized() {
        return initialized;
    }

    public long volumeId() {
        return volumeId;
    }

    public String volumeName() {
        return volumeName;
    }

    public long createdMillis() {
        return createdMillis;
    }

    /** This replica's slot in the version vectors. */
    public int replicaIndex() {
        return replicaIndex;
    }

    public int replicas() {
        return replicas;
    }

    /** Bumped in this replica's slot by every committed change. */
    public VersionVector versionVector() {
        return versionVector;
    }

    /** The operations waiting for their COP2 (read-only use; the event handler changes it). */
    public PendingCop2 pendingCop2() {
        return pendingCop2;
    }

    /** The retry window (read-only use; the event handler changes it). */
    public RecentRequests recentRequests() {
        return recentRequests;
    }

    /** The resolution log (read-only use; the event handler changes it). */
    public ResolutionLog resolutionLog() {
        return resolutionLog;
    }

    /** Regular files (vnodes, not names). */
    public long files() {
        return files;
    }

    /** Directories, the root included. */
    public long directories() {
        return directories;
    }

    public long symlinks() {
        return symlinks;
    }

    /** Sum of the regular files' sizes; 2^63-1 if it is larger (it cannot wrap). */
    public long bytes() {
        return bytes.bitLength() < Long.SIZE ? bytes.longValue() : Long.MAX_VALUE;
    }

    public Fid rootFid() {
        return new Fid(volumeId, Fid.ROOT_VNODE, ROOT_UNIQUE);
    }

    public Vnode root() {
        return vnodes.get(Fid.ROOT_VNODE);
    }

    /** The vnode with this number, or null. */
    public Vnode vnode(long number) {
        return vnodes.get(number);
    }

    /** The vnode a directory entry points at. */
    public Vnode vnode(DirectoryEntry entry) {
        return vnodes.get(entry.vnode());
    }

    public Fid fid(Vnode vnode) {
        return new Fid(volumeId, vnode.number(), vnode.unique());
    }

    /** The fid the next created vnode gets. Allocation happens when the creating event is applied. */
    public Fid nextFid() {
        return new Fid(volumeId, nextVnode, nextUnique);
    }

    /**
     * The fid a vnode created by operation {@code opId} gets (0: an operation without COP1). In a group of several
     * replicas, an operation under COP1 numbers its vnode by its operation id (unique: leased from the registry, at
     * least {@link OperationIds#FIRST}), so whichever replicas apply it they use one fid, and two operations that
     * different replicas applied alone (a partition, min-replicas 1) never share one: resolution can merge them.
     * Counters allocate below {@link OperationIds#FIRST} and never meet these. A volume of one replica cannot
     * diverge, so it keeps its counters (small, dense numbers).
     */
    public Fid newFid(long opId) {
        if (replicas <= 1 || opId < OperationIds.FIRST) {
            return nextFid();
        }
        if (vnodes.containsKey(opId)) { // the pending-COP2 check and the retry window make this unreachable
            throw new IllegalStateException("vnode " + opId + " exists: operation " + opId + " was applied here already");
        }
        return new Fid(volumeId, opId, OPERATION_UNIQUE);
    }

    /** The version a vnode this replica creates now starts with. */
    public VnodeVersion firstVersion() {
        return VnodeVersion.first(replicas, replicaIndex);
    }

    /** The version {@code vnode} gets from a change this replica makes now. */
    public VnodeVersion nextVersion(Vnode vnode) {
        return vnode.version().next(replicaIndex);
    }

    /** True if some vnode's contents are this blob. */
    public boolean referencesBlob(UUID blobId) {
        return blobOwners.containsKey(blobId);
    }

    /** Every blob some vnode's contents are. */
    public List<UUID> referencedBlobs() {
        return List.copyOf(blobOwners.keySet());
    }

    /** The vnode {@code fid} names: STALE if it is gone, was reused, or is not in this volume. */
    public Vnode resolve(Fid fid) {
        if (fid == null) {
            throw new InvalidArgumentException("missing fid");
        }
        if (fid.volume() != volumeId) {
            throw new StaleException(fid + " is not in volume " + volumeId);
        }
        Vnode vnode = vnodes.get(fid.vnode());
        if (vnode == null || vnode.unique() != fid.unique()) {
            throw new StaleException(fid + " is stale: no such file or directory in volume " + volumeId);
        }
        return vnode;
    }

    /**
     * A second object of an operation whose first is in this volume: CROSS_VOLUME if it is in another
     * volume (link and rename cannot cross volumes), otherwise as {@link #resolve}.
     */
    public Vnode resolveAlongside(Fid fid, Fid first) {
        if (fid != null && fid.volume() != volumeId) {
            throw new CrossVolumeException("cannot operate across volumes: " + fid + " is in volume "
                    + fid.volume() + ", " + first + " in volume " + volumeId);
        }
        return resolve(fid);
    }

    public Vnode resolveDirectory(Fid fid) {
        Vnode vnode = resolve(fid);
        if (!vnode.isDirectory()) {
            throw new NotADirectoryException(fid + " is not a directory");
        }
        return vnode;
    }

    /** A regular file whose contents may be stored or fetched. */
    public Vnode resolveRegularFile(Fid fid) {
        Vnode vnode = resolve(fid);
        if (vnode.type() == FileType.DIRECTORY) {
            throw new IsADirectoryException(fid + " is a directory");
        }
        if (vnode.type() != FileType.FILE) {
            throw new InvalidArgumentException(fid + " is a symbolic link, not a regular file");
        }
        return vnode;
    }

    /** An immutable copy of a vnode's attributes, as the protocol carries them. */
    public Attr attr(Vnode v) {
        VnodeVersion version = v.version();
        return new Attr(fid(v), v.type(), v.mode(), v.size(), v.linkCount(), v.owner(), v.mtimeMillis(),
                v.ctimeMillis(), version.dataVersion(), version.versionVector().toList());
    }

    public VolumeInfo info(int groupReplicas) {
        return new VolumeInfo(volumeName, volumeId, rootFid(), groupReplicas, createdMillis, files, directories,
                symlinks, bytes(), versionVector.toList());
    }

    public int vnodeCount() {
        return vnodes.size();
    }

    // ---- the event handler ------------------------------------------------------------------

    /** Applies one committed event. Deterministic: the same events always give the same volume. */
    public Volume apply(VolumeEvent event) {
        if (!initialized) {
            // The empty state is never changed: Pekko hands the same empty object to every recovery of a replica,
            // also to the one after a failed journal write, and each must replay from a pristine volume.
            if (event instanceof VolumeEvent.VolumeInitialized e) {
                Volume created = new Volume(resolutionLog.limit());
                created.onInitialized(e);
                return created;
            }
            return this; // nothing happens to a volume that does not exist
        }
        recentRequests.record(event); // RETRIES: every event with an origin, and adopted windows
        VolumeEvent mutation = lastMutation;
        lastMutation = null;
        if (event instanceof VolumeEvent.OperationRecorded e) {
            pendingCop2.record(e.opId(), e.vnodes(), e.timeMillis());
            if (mutation != null) { // RESOLUTION: the mutation event persisted just before names the operation
                resolutionLog.append(e.opId(), mutation);
            }
            return this;
        }
        if (event instanceof VolumeEvent.Cop2Applied e) {
            onCop2Applied(e);
            return this;
        }
        if (event instanceof VolumeEvent.Cop2Expired e) { // their update sets are ignored from now on
            // Their entries stay in the resolution log: not known to be everywhere, they are what resolution needs.
            e.opIds().forEach(pendingCop2::complete);
            return this;
        }
        if (event instanceof VolumeEvent.ResolutionLogTruncated e) { // every replica has these operations
            e.opIds().forEach(resolutionLog::remove);
            return this;
        }
        if (event instanceof VolumeEvent.VnodesInstalled e) { // CATCH-UP: the source's versions, no bump
            onVnodesInstalled(e);
            return this;
        }
        if (event instanceof VolumeEvent.EntriesInstalled e) {
            onEntriesInstalled(e);
            return this;
        }
        if (event instanceof VolumeEvent.CaughtUp e) {
            onCaughtUp(e);
            return this;
        }
        if (event instanceof VolumeEvent.RecentRequestsAdopted) {
            return this; // the retry window's business (recorded above)
        }
        if (event instanceof VolumeEvent.FileCreated e) {
            onFileCreated(e);
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            onDirectoryCreated(e);
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            onSymlinkCreated(e);
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            onLinkAdded(e);
        } else if (event instanceof VolumeEvent.EntryRemoved e) {
            onEntryRemoved(e);
        } else if (event instanceof VolumeEvent.DirectoryRemoved e) {
            onDirectoryRemoved(e);
        } else if (event instanceof VolumeEvent.Renamed e) {
            onRenamed(e);
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            onAttributesSet(e);
        } else if (event instanceof VolumeEvent.ContentStored e) {
            onContentStored(e);
        } else {
            throw new IllegalStateException("no handler for event " + event.getClass().getName());
        }
        versionVector = versionVector.increment(replicaIndex);
        if (replicas > 1) {
            lastMutation = event;
        }
        return this;
    }

    /** The other replicas' slots go up for every vnode of the operation still here, and for the volume. */
    private void onCop2Applied(VolumeEvent.Cop2Applied e) {
        pendingCop2.complete(e.opId());
        resolutionLog.settle(e, replicaIndex, replicas);
        for (Long number : e.vnodes()) {
            Vnode v = vnodes.get(number);
            if (v != null) {
                VersionVector vv = v.version().versionVector();
                for (int slot : e.slots()) {
                    vv = vv.increment(slot);
                }
                v.setVersion(new VnodeVersion(v.version().dataVersion(), vv));
            }
        }
        for (int slot : e.slots()) {
            versionVector = versionVector.increment(slot);
        }
    }

    // ---- catching up: this replica becomes a copy of a current one (VnodeSync) ------------------

    /** The vnodes with a number above {@code after}, in number order (read-only). */
    public NavigableMap<Long, Vnode> vnodesAfter(long after) {
        return java.util.Collections.unmodifiableNavigableMap(vnodes.tailMap(after, false));
    }

    public long nextVnodeNumber() {
        return nextVnode;
    }

    public long nextUniquifier() {
        return nextUnique;
    }

    /**
     * Each record replaces the vnode of its number (or adds it); {@code removed} go. A directory listed in
     * {@code incomplete} got only the first of its entries: until {@link VolumeEvent.EntriesInstalled}
     * completes it, it carries data version 0, which no source vnode has, so an interrupted catch-up copies it
     * again.
     */
    private void onVnodesInstalled(VolumeEvent.VnodesInstalled e) {
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
            add(installed);
        }
    }

    private void onEntriesInstalled(VolumeEvent.EntriesInstalled e) {
        Vnode dir = vnodes.get(e.vnode());
        if (dir == null || !dir.isDirectory()) {
            return; // replaced or removed since its first entries came
        }
        for (VolumeSnapshot.EntryRecord entry : e.entries()) {
            dir.putEntry(entry.name(), new DirectoryEntry(entry.vnode(), entry.unique(), entry.type()));
        }
        if (e.completedVersion() != null) {
            dir.setVersion(e.completedVersion());
        }
    }

    /**
     * The end of a catch-up: this replica now holds the source's vnodes, so it takes the source's volume
     * vector and fid counters (it must allocate the same fids as the others from now on). Its own pending
     * COP2 entries go: the versions it installed already include the source's COP2s, and applying an old
     * update set on top would count it twice.
     *
     * <p>Its resolution log empties too. A catch-up copies only from a source that holds everything this replica
     * holds (its vector is dominated, or its excess is operations the source applied too: see CatchUpPlanner), so
     * every operation in this log is in the source's state and, unless known to be everywhere, in the source's own
     * log: no user's change is lost with these entries. Kept, they would claim operations whose effects this replica
     * now holds only as the source's copy. An overflow mark goes with them: it described the old history.
     */
    private void onCaughtUp(VolumeEvent.CaughtUp e) {
        versionVector = e.volumeVector();
        nextVnode = e.nextVnode();
        nextUnique = e.nextUnique();
        pendingCop2 = new PendingCop2();
        resolutionLog.clear();
    }

    /** The vnodes (numbers) whose versions an operation's event sets, each once, in event order. */
    public static List<Long> touchedVnodes(VolumeEvent event) {
        LinkedHashSet<Long> touched = new LinkedHashSet<>();
        if (event instanceof VolumeEvent.FileCreated e) {
            touched.add(e.dir().vnode());
            touched.add(e.file().vnode());
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            touched.add(e.dir().vnode());
            touched.add(e.directory().vnode());
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            touched.add(e.dir().vnode());
            touched.add(e.symlink().vnode());
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            touched.add(e.dir().vnode());
            touched.add(e.target().vnode());
        } else if (event instanceof VolumeEvent.EntryRemoved e) {
            touched.add(e.dir().vnode());
            touched.add(e.removed().vnode());
        } else if (event instanceof VolumeEvent.DirectoryRemoved e) {
            touched.add(e.dir().vnode());
        } else if (event instanceof VolumeEvent.Renamed e) {
            touched.add(e.fromDir().vnode());
            touched.add(e.toDir().vnode());
            touched.add(e.moved().vnode());
            if (e.replaced() != null) {
                touched.add(e.replaced().vnode());
            }
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            touched.add(e.fid().vnode());
        } else if (event instanceof VolumeEvent.ContentStored e) {
            touched.add(e.fid().vnode());
        }
        return List.copyOf(touched);
    }

    private void onInitialized(VolumeEvent.VolumeInitialized e) {
        initialized = true;
        volumeId = e.volumeId();
        volumeName = e.volumeName();
        createdMillis = e.createdMillis();
        replicaIndex = e.replicaIndex();
        replicas = e.replicas();
        versionVector = e.rootVersion().versionVector(); // equal on every replica of the group
        Vnode root = Vnode.newDirectory(rootFid(), Fid.ROOT_VNODE, 0755, e.rootOwner(), e.createdMillis(),
                e.rootVersion());
        add(root);
    }

    private void onFileCreated(VolumeEvent.FileCreated e) {
        Vnode file = Vnode.newFile(e.file(), e.mode(), e.origin().principal(), e.origin().timeMillis(),
                e.fileVersion());
        addEntry(e.dir(), e.name(), file, e.dirVersion(), e.origin());
    }

    private void onDirectoryCreated(VolumeEvent.DirectoryCreated e) {
        Vnode dir = Vnode.newDirectory(e.directory(), e.dir().vnode(), e.mode(), e.origin().principal(),
                e.origin().timeMillis(), e.directoryVersion());
        addEntry(e.dir(), e.name(), dir, e.dirVersion(), e.origin());
        vnodes.get(e.dir().vnode()).addLink(); // the new directory's ".."
    }

    private void onSymlinkCreated(VolumeEvent.SymlinkCreated e) {
        Vnode link = Vnode.newSymlink(e.symlink(), e.target(), e.origin().principal(), e.origin().timeMillis(),
                e.symlinkVersion());
        addEntry(e.dir(), e.name(), link, e.dirVersion(), e.origin());
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

    private void onEntryRemoved(VolumeEvent.EntryRemoved e) {
        Vnode dir = vnodes.get(e.dir().vnode());
        dir.removeEntry(e.name());
        dir.stampModified(e.dirVersion(), e.origin().timeMillis());
        unlink(vnodes.get(e.removed().vnode()), e.lastLink(), e.removedVersion(), e.origin());
    }

    private void onDirectoryRemoved(VolumeEvent.DirectoryRemoved e) {
        Vnode dir = vnodes.get(e.dir().vnode());
        dir.removeEntry(e.name());
        dir.dropLink(); // the removed directory's ".."
        dir.stampModified(e.dirVersion(), e.origin().timeMillis());
        remove(vnodes.get(e.removed().vnode()));
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

    private void add(Vnode v) {
        vnodes.put(v.number(), v);
        if (v.number() < OperationIds.FIRST) { // a vnode numbered by its operation leaves the counters alone
            nextVnode = Math.max(nextVnode, v.number() + 1);
            nextUnique = Math.max(nextUnique, v.unique() + 1);
        }
        count(v, +1);
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

    // ---- snapshots --------------------------------------------------------------------------

    /** An immutable deep copy, for the snapshot store. */
    public VolumeSnapshot toSnapshot() {
        List<VolumeSnapshot.VnodeRecord> records = new ArrayList<>(vnodes.size());
        for (Vnode v : vnodes.values()) {
            records.add(v.toRecord(v.entryRecords()));
        }
        records.sort(Comparator.comparingLong(VolumeSnapshot.VnodeRecord::vnode));
        return new VolumeSnapshot(initialized, volumeId, volumeName, createdMillis, replicaIndex, replicas,
                nextVnode, nextUnique, versionVector, records, pendingCop2.entries(), resolutionLog.snapshot());
    }

    /** A volume and its retry window as a snapshot (see {@link RecentRequests.Snapshot}) holds them. */
    public RecentRequests.Snapshot toSnapshotWithRecentRequests() {
        return recentRequests.snapshot(toSnapshot());
    }

    public static Volume fromSnapshot(RecentRequests.Snapshot snapshot) {
        return fromSnapshot(snapshot, ResolutionLog.DEFAULT_LIMIT);
    }

    /** {@code resolutionLogLimit}: the replica's bound (configuration, not part of the snapshot). */
    public static Volume fromSnapshot(RecentRequests.Snapshot snapshot, int resolutionLogLimit) {
        Volume volume = fromSnapshot(snapshot.volume(), resolutionLogLimit);
        volume.recentRequests = RecentRequests.restored(snapshot.recentRequests());
        return volume;
    }

    public static Volume fromSnapshot(VolumeSnapshot snapshot) {
        return fromSnapshot(snapshot, ResolutionLog.DEFAULT_LIMIT);
    }

    public static Volume fromSnapshot(VolumeSnapshot snapshot, int resolutionLogLimit) {
        Volume volume = new Volume(resolutionLogLimit);
        volume.initialized = snapshot.initialized();
        volume.volumeId = snapshot.volumeId();
        volume.volumeName = snapshot.volumeName();
        volume.createdMillis = snapshot.createdMillis();
        volume.replicaIndex = snapshot.replicaIndex();
        volume.replicas = snapshot.replicas();
        volume.versionVector = snapshot.versionVector();
        volume.pendingCop2 = PendingCop2.of(snapshot.pendingCop2());
        volume.resolutionLog = ResolutionLog.restored(snapshot.resolutionLog(), resolutionLogLimit);
        for (VolumeSnapshot.VnodeRecord record : snapshot.vnodes()) {
            volume.add(Vnode.restore(record));
        }
        volume.nextVnode = Math.max(volume.nextVnode, snapshot.nextVnode());
        volume.nextUnique = Math.max(volume.nextUnique, snapshot.nextUnique());
        return volume;
    }
}

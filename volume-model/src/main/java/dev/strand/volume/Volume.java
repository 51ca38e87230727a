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

import java.util.Iterator;
import java.util.List;
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

    /** Its vnodes, fid counters, usage figures and blob index. */
    private final VnodeTable vnodes = new VnodeTable();
    /** Replicated operations applied here whose update set (COP2) has not arrived yet. */
    private PendingCop2 pendingCop2 = new PendingCop2();
    /** RETRIES: the mutations applied recently, by (client id, request id); rebuilt from the events' origins. */
    private RecentRequests recentRequests = new RecentRequests();
    /** RESOLUTION: this replica's operations not yet known to be everywhere (bounded by its limit). */
    private ResolutionLog resolutionLog;
    /** RESOLUTION: the objects and names in conflict until repaired. */
    private ConflictTable conflicts = new ConflictTable();
    /**
     * The mutation event just applied, until the {@link VolumeEvent.OperationRecorded} persisted right after it (in
     * the same atomic write) names its operation. Never in a snapshot: Pekko snapshots after a whole write.
     */
    private VolumeEvent lastMutation;

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

    /** The conflicts (read-only use; the event handler changes it). */
    public ConflictTable conflicts() {
        return conflicts;
    }

    /** CONFLICT if {@code vnode} is in conflict (the check of every read and mutation). */
    public void requireNoConflict(Vnode vnode) {
        conflicts.requireNone(this, vnode);
    }

    /** CONFLICT if entry {@code name} of directory {@code dir} is in conflict. */
    public void requireNoConflict(Vnode dir, String name) {
        conflicts.requireNone(this, dir, name);
    }

    /** Regular files (vnodes, not names). */
    public long files() {
        return vnodes.files();
    }

    /** Directories, the root included. */
    public long directories() {
        return vnodes.directories();
    }

    public long symlinks() {
        return vnodes.symlinks();
    }

    /** Sum of the regular files' sizes; 2^63-1 if it is larger (it cannot wrap). */
    public long bytes() {
        return vnodes.bytes();
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
        return new Fid(volumeId, vnodes.nextVnode(), vnodes.nextUnique());
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
        if (vnodes.contains(opId)) { // the pending-COP2 check and the retry window make this unreachable
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
        return vnodes.referencesBlob(blobId);
    }

    /** Every blob some vnode's contents are. */
    public List<UUID> referencedBlobs() {
        return vnodes.referencedBlobs();
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
        return new VolumeInfo(volumeName, volumeId, rootFid(), groupReplicas, createdMillis, files(), directories(),
                symlinks(), bytes(), versionVector.toList());
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
        if (event instanceof VolumeEvent.MutationEvent e) {
            vnodes.apply(e);
            versionVector = versionVector.increment(replicaIndex);
            if (replicas > 1) {
                lastMutation = e;
            }
        } else if (event instanceof VolumeEvent.OperationRecorded e) {
            pendingCop2.record(e.opId(), e.vnodes(), e.timeMillis());
            if (mutation != null) { // RESOLUTION: the mutation event persisted just before names the operation
                resolutionLog.append(e.opId(), mutation);
            }
        } else if (event instanceof VolumeEvent.Cop2Applied e) {
            onCop2Applied(e);
        } else if (event instanceof VolumeEvent.Cop2Expired e) { // their update sets are ignored from now on
            // Their entries stay in the resolution log: not known to be everywhere, they are what resolution needs.
            e.opIds().forEach(pendingCop2::complete);
        } else if (event instanceof VolumeEvent.ResolutionLogTruncated e) { // every replica has these operations
            e.opIds().forEach(resolutionLog::remove);
        } else if (event instanceof VolumeEvent.VnodesInstalled e) { // CATCH-UP: the source's versions, no bump
            vnodes.install(e, replicas);
        } else if (event instanceof VolumeEvent.EntriesInstalled e) {
            vnodes.install(e);
        } else if (event instanceof VolumeEvent.CaughtUp e) {
            onCaughtUp(e);
        } else if (event instanceof VolumeEvent.ComparisonRoundPerformed) { // the log cannot explain this now
            resolutionLog.markOverflowed();
        } else if (event instanceof VolumeEvent.ConflictsMarked e) {
            e.conflicts().forEach(conflicts::add);
        } else if (event instanceof VolumeEvent.ConflictsAdopted e) {
            if (e.first()) {
                conflicts = new ConflictTable();
            }
            e.conflicts().forEach(conflicts::add);
        } else if (event instanceof VolumeEvent.ConflictRepaired e) {
            conflicts.repaired(e.object());
        } else if (event instanceof VolumeEvent.NamesRepaired e) {
            conflicts.repairedNames(e.dir(), e.names(), e.objects());
        } else if (!(event instanceof VolumeEvent.RecentRequestsAdopted)) { // that one is the retry window's (above)
            throw new IllegalStateException("no handler for event " + event.getClass().getName());
        }
        return this;
    }

    /** The other replicas' slots go up for every vnode of the operation still here, and for the volume. */
    private void onCop2Applied(VolumeEvent.Cop2Applied e) {
        pendingCop2.complete(e.opId());
        resolutionLog.settle(e, replicaIndex, replicas);
        vnodes.incrementSlots(e.vnodes(), e.slots());
        for (int slot : e.slots()) {
            versionVector = versionVector.increment(slot);
        }
    }

    // ---- catching up: this replica becomes a copy of a current one (VnodeSync) ------------------

    /** The vnodes with a number above {@code after}, in number order (read-only; valid until the next event). */
    public Iterator<Vnode> vnodesAfter(long after) {
        return vnodes.between(after, Long.MAX_VALUE);
    }

    /** The vnodes with a number above {@code after} and at most {@code upTo}, in number order (as above). */
    public Iterator<Vnode> vnodesBetween(long after, long upTo) {
        return vnodes.between(after, upTo);
    }

    public long nextVnodeNumber() {
        return vnodes.nextVnode();
    }

    public long nextUniquifier() {
        return vnodes.nextUnique();
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
        vnodes.adoptCounters(e.nextVnode(), e.nextUnique());
        pendingCop2 = new PendingCop2();
        resolutionLog.clear();
    }

    /** The vnodes (numbers) whose versions an operation's event sets, each once, in event order (none for others). */
    public static List<Long> touchedVnodes(VolumeEvent event) {
        return event instanceof VolumeEvent.MutationEvent e ? e.touchedVnodes() : List.of();
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
        vnodes.add(root);
    }

    // ---- snapshots --------------------------------------------------------------------------

    /** An immutable deep copy, for the snapshot store. */
    public VolumeSnapshot toSnapshot() {
        List<VolumeSnapshot.VnodeRecord> records = vnodes.records(); // in number order
        return new VolumeSnapshot(initialized, volumeId, volumeName, createdMillis, replicaIndex, replicas,
                vnodes.nextVnode(), vnodes.nextUnique(), versionVector, records, pendingCop2.entries(),
                resolutionLog.snapshot(), conflicts.records());
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
        volume.conflicts = ConflictTable.restored(snapshot.conflicts());
        for (VolumeSnapshot.VnodeRecord record : snapshot.vnodes()) {
            volume.vnodes.add(Vnode.restore(record));
        }
        volume.vnodes.shareEntries(); // one object per name and vnode, as in a volume built by its events
        volume.vnodes.raiseCounters(snapshot.nextVnode(), snapshot.nextUnique());
        return volume;
    }
}

package dev.strand.conflictrepair;

import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.DirectoryEntry;
import dev.strand.volume.FrameBudget;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A replica's side of {@code strand repair}: what it reports of a name or an object ({@link #read}, {@link
 * #subtreeInPieces}) for the coordinator's decision ({@link RepairPlanner}), and the events it journals, in one write,
 * to perform its part of the decided repair. Refuses ({@link Changed}, nothing decided) when its state is not what the
 * coordinator read.
 */
public final class ReplicaRepairs {

    private ReplicaRepairs() {}

    /** The state of a replica is not what the coordinator read: it does nothing. */
    public static final class Changed extends RuntimeException {
        Changed(String message) {
            super(message);
        }
    }

    // ---- a replica's report --------------------------------------------------------------------------

    /**
     * The object {@code name} of {@code dirFid} binds on {@code volume} (the object {@code dirFid} itself, of any
     * type, when {@code name} is null), in conflict or not; a directory's entries as many as fit {@code entryBytes}. Its conflicts: every one
     * naming the name or the object, and every one naming an object of those (a repair ends them all).
     */
    public static RepairPlanner.Seen read(Volume volume, Fid dirFid, String name, int entryBytes) {
        Vnode dir = dirFid == null || dirFid.volume() != volume.volumeId() ? null : volume.vnode(dirFid.vnode());
        if (name == null) { // the object itself, by fid: a directory for the stamp of a repair of its names, or an
            // object of the conflicts that repair ends (no entries, no conflicts)
            return dir == null || dir.unique() != dirFid.unique() ? RepairPlanner.Seen.none("no object " + dirFid + " here",
                    List.of()) : new RepairPlanner.Seen(dir.toRecord(List.of()), false, null, List.of());
        }
        if (dir == null || dir.unique() != dirFid.unique() || !dir.isDirectory()) {
            return RepairPlanner.Seen.none("no directory " + dirFid + " here", List.of());
        }
        Set<ConflictRecord> conflicts = new LinkedHashSet<>();
        List<ConflictRecord> all = volume.conflicts().records();
        for (ConflictRecord r : all) { // every one, not the first: a repair of the name ends them all
            if (r.names().stream().anyMatch(n -> n.dir().vnode() == dir.number() && n.name().equals(name))) {
                conflicts.add(r);
            }
        }
        DirectoryEntry entry = dir.entry(name);
        Vnode object = entry == null ? null : volume.vnode(entry);
        if (object != null) {
            conflicts.addAll(volume.conflicts().involving(object.number()));
        }
        // a repair ends every conflict naming an object of these too: the coordinator must see them to judge
        Set<Long> objects = new java.util.HashSet<>();
        conflicts.forEach(c -> c.objects().forEach(f -> objects.add(f.vnode())));
        for (ConflictRecord r : all) {
            if (r.objects().stream().anyMatch(f -> objects.contains(f.vnode()))) {
                conflicts.add(r);
            }
        }
        if (object == null) {
            return RepairPlanner.Seen.none("no entry '" + name + "' in " + dirFid + " here", List.copyOf(conflicts));
        }
        List<VolumeSnapshot.EntryRecord> entries = new ArrayList<>();
        int left = entryBytes;
        boolean complete = true;
        for (VolumeSnapshot.EntryRecord e : object.entryRecords()) {
            int cost = VnodeSync.ENTRY_RECORD_BYTES + FrameBudget.text(e.name());
            if (cost > left) {
                complete = false;
                break;
            }
            left -= cost;
            entries.add(e);
        }
        return new RepairPlanner.Seen(object.toRecord(entries), complete, null, List.copyOf(conflicts));
    }

    /**
     * Directory {@code dirFid} and every object below it on {@code volume}, in pieces: depth first in name order, each
     * directory's entries cut into consecutive records of at most {@code pieceBytes} of entries ({@link
     * VnodeImages#inPieces}). Deterministic for one state, so a reader may page through them by position. Empty if
     * {@code dirFid} is no directory here.
     */
    public static List<VnodeRecord> subtreeInPieces(Volume volume, Fid dirFid, int pieceBytes) {
        Vnode top = dirFid.volume() != volume.volumeId() ? null : volume.vnode(dirFid.vnode());
        if (top == null || top.unique() != dirFid.unique() || !top.isDirectory()) {
            return List.of();
        }
        List<VnodeRecord> pieces = new ArrayList<>();
        java.util.ArrayDeque<Vnode> next = new java.util.ArrayDeque<>();
        Set<Long> visited = new java.util.HashSet<>();
        next.push(top);
        while (!next.isEmpty()) {
            Vnode v = next.pop();
            if (!visited.add(v.number())) {
                continue; // a hard link met twice: one image
            }
            if (!v.isDirectory()) {
                pieces.add(v.toRecord(List.of()));
                continue;
            }
            List<VolumeSnapshot.EntryRecord> entries = v.entryRecords();
            pieces.addAll(VnodeImages.inPieces(v.toRecord(entries), pieceBytes));
            for (int i = entries.size() - 1; i >= 0; i--) { // pushed last first: popped in name order
                Vnode child = volume.vnode(entries.get(i).vnode());
                if (child != null && child.unique() == entries.get(i).unique()) {
                    next.push(child);
                }
            }
        }
        return pieces;
    }

    // ---- a replica performs its part ---------------------------------------------------------------------

    /**
     * The events replica {@code replica} journals, in one write, for its steps of a file's repair: the kept version,
     * the final stamp, the end of the conflict. Throws (nothing decided) if the object is not what was read.
     */
    public static List<VolumeEvent> fileRepairEvents(Volume volume, int replica, Fid object, List<PlanStep> steps) {
        List<VolumeEvent> events = new ArrayList<>(StepApplier.decide(volume, replica, steps));
        events.add(new VolumeEvent.ConflictRepaired(object));
        return events;
    }

    /**
     * The events replica {@code replica} journals, in one write, for a repair of names: the directory's entries
     * (its own, with the chosen names bound as decided; so for each other directory), the kept objects, the removed
     * ones, the directories' stamps, then the end of the conflicts. {@link Changed} (nothing decided) if its state is not what was read.
     */
    public static List<VolumeEvent> namesRepairEvents(Volume volume, int replica, RepairPlanner.NamesRepair repair) {
        List<VnodeRecord> installed = new ArrayList<>();
        installed.add(rebuilt(volume, repair.dir(), repair.names(), repair.bindings(), repair.dirStamp()));
        for (RepairPlanner.OtherDir other : repair.others()) {
            installed.add(rebuilt(volume, other.dir(), other.names(), other.bindings(), other.stamp()));
        }
        List<Long> removed = new ArrayList<>();
        for (Fid f : repair.dropped()) {
            Vnode gone = volume.vnode(f.vnode());
            if (gone != null && gone.unique() == f.unique()) { // else this replica never had it
                removed.add(f.vnode());
            }
        }
        checkRemovals(volume, repair, removed);
        for (VnodeRecord o : repair.objects()) {
            Vnode there = volume.vnode(o.vnode());
            if (there != null && (there.unique() != o.unique() || there.type() != o.type())) {
                throw new Changed("vnode " + o.vnode() + " is another object here");
            }
        }
        installed.addAll(repair.objects());
        return List.of(new VolumeEvent.VnodesInstalled(replica, installed, List.of(), removed),
                new VolumeEvent.NamesRepaired(repair.dir(), repair.names(), repair.cleared()));
    }

    /**
     * A directory, or an object with several names, is removed only with every name it has here: each bound by a
     * repaired name, an entry of a directory removed too, or an entry of a directory installed over; and a directory
     * removed here holds only objects removed or installed by the repair (a subtree goes whole, nothing is left
     * without a name). {@link Changed} if not: this replica holds what the coordinator did not read.
     */
    private static void checkRemovals(Volume volume, RepairPlanner.NamesRepair repair, List<Long> removed) {
        Set<Long> removing = new java.util.HashSet<>(removed);
        Set<Long> installing = new java.util.HashSet<>();
        repair.objects().forEach(o -> installing.add(o.vnode()));
        Map<Long, Integer> namesGoing = new java.util.HashMap<>();
        List<RepairPlanner.OtherDir> dirs = new ArrayList<>(repair.others());
        dirs.add(new RepairPlanner.OtherDir(repair.dir(), repair.names(), List.of(), repair.dirStamp()));
        for (RepairPlanner.OtherDir d : dirs) {
            Vnode dir = volume.vnode(d.dir().vnode());
            for (String name : d.names()) {
                DirectoryEntry e = dir == null || !dir.isDirectory() ? null : dir.entry(name);
                if (e != null) {
                    namesGoing.merge(e.vnode(), 1, Integer::sum);
                }
            }
        }
        Set<Long> replaced = new java.util.HashSet<>(removing);
        replaced.addAll(installing);
        for (Long number : replaced) {
            Vnode v = volume.vnode(number);
            if (v != null && v.isDirectory()) {
                v.entryRecords().forEach(e -> namesGoing.merge(e.vnode(), 1, Integer::sum));
            }
        }
        for (Long number : removed) {
            Vnode gone = volume.vnode(number);
            int going = namesGoing.getOrDefault(number, 0);
            if (gone.isDirectory() ? going < 1 : gone.linkCount() > 1 && going < gone.linkCount()) {
                throw new Changed("vnode " + number + " has names here that this repair does not remove");
            }
            if (gone.isDirectory()) {
                for (VolumeSnapshot.EntryRecord e : gone.entryRecords()) {
                    if (!replaced.contains(e.vnode())) {
                        throw new Changed("directory " + number + " holds '" + e.name() + "' (vnode " + e.vnode()
                                + ") here, which the repair neither removes nor keeps");
                    }
                }
            }
        }
    }

    /** Directory {@code dirFid} as this replica holds it, {@code names} bound as {@code bindings}, stamped. */
    private static VnodeRecord rebuilt(Volume volume, Fid dirFid, List<String> names,
                                       List<VolumeSnapshot.EntryRecord> bindings, PlanStep.Stamp s) {
        Vnode dir = volume.vnode(dirFid.vnode());
        if (dir == null || dir.unique() != dirFid.unique() || !dir.isDirectory()) {
            throw new Changed("no directory " + dirFid + " here");
        }
        VnodeRecord d = dir.toRecord(dir.entryRecords());
        Map<String, VolumeSnapshot.EntryRecord> entries = new TreeMap<>();
        d.entries().forEach(e -> entries.put(e.name(), e));
        int links = d.linkCount(); // a directory's count: 2 and one per subdirectory (its "..")
        for (String name : names) {
            VolumeSnapshot.EntryRecord unbound = entries.remove(name);
            if (unbound != null && unbound.type() == FileType.DIRECTORY) {
                links--;
            }
        }
        for (VolumeSnapshot.EntryRecord b : bindings) {
            if (entries.put(b.name(), b) != null) {
                throw new Changed("'" + b.name() + "' exists in " + dirFid + " here");
            }
            if (b.type() == FileType.DIRECTORY) {
                links++;
            }
        }
        return new VnodeRecord(d.vnode(), d.unique(), d.type(), d.mode(), d.owner(), d.size(), links,
                s.mtimeMillis(), s.ctimeMillis(), s.dataVersion(), s.versionVector(), d.blobId(), d.blobLength(),
                d.symlinkTarget(), d.parent(), List.copyOf(entries.values()));
    }
}

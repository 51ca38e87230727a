package dev.strand.conflictrepair;

import dev.strand.protocol.Names;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The decisions of {@code strand repair}, without Pekko: what a replica reports of an object ({@link #read}), what
 * the coordinator decides from every replica's report for a repair choice ({@link #repairFile}, {@link #repairDir}:
 * each replica's steps and the new version dominating every earlier one, or why it refuses), and the events a
 * replica journals to perform it ({@link #fileRepairEvents}, {@link #namesRepairEvents}). The actors
 * ({@code coordinator/Repairs}, {@code volume/RepairCommands}) ask, gather, measure and send; the properties test
 * runs the same code on model replicas.
 */
public final class RepairPlanner {

    private RepairPlanner() {}

    /** Most names one {@code repair dir} settles (its messages stay far below one frame). */
    public static final int MAX_DIR_NAMES = 32;

    /** The conflict kinds {@code repair dir} settles: a name bound differently, an object removed on one side. */
    private static final Set<String> NAME_KINDS = Set.of("NAME_NAME", "REMOVE_UPDATE");

    /**
     * One replica's version of an object: {@code vnode} (null and a {@code problem} when it has none; a directory's
     * entries cut to fit, {@code entriesComplete} false then) and the conflicts it marks on it or its name.
     */
    public record Seen(VnodeRecord vnode, boolean entriesComplete, String problem, List<ConflictRecord> conflicts) {
        public Seen {
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }

        static Seen none(String problem, List<ConflictRecord> conflicts) {
            return new Seen(null, true, problem, conflicts);
        }
    }

    /** What the coordinator decided. */
    public sealed interface Decision {}

    /** The repair cannot be done as asked: nothing is sent. */
    public record Refused(Status status, String message) implements Decision {}

    /** {@code strand repair file}: every replica performs its steps on {@code object} (index: the replica). */
    public record FileRepair(Fid object, List<List<PlanStep>> steps) implements Decision {
        public FileRepair {
            steps = steps.stream().map(List::copyOf).toList();
        }
    }

    /**
     * {@code strand repair dir}: the same to every replica: {@code names} of {@code dir} bound as {@code bindings}, the
     * kept objects installed as {@code objects}, {@code dropped} removed, the directory stamped, the conflicts naming
     * {@code cleared} (or those names) ended.
     */
    public record NamesRepair(Fid dir, List<String> names, List<VolumeSnapshot.EntryRecord> bindings,
                              List<VnodeRecord> objects, List<Fid> dropped, PlanStep.Stamp dirStamp,
                              List<Fid> cleared) implements Decision {
        public NamesRepair {
            names = List.copyOf(names);
            bindings = List.copyOf(bindings);
            objects = List.copyOf(objects);
            dropped = List.copyOf(dropped);
            cleared = List.copyOf(cleared);
        }
    }

    /** The state of a replica is not what the coordinator read: it does nothing. */
    public static final class Changed extends RuntimeException {
        Changed(String message) {
            super(message);
        }
    }

    // ---- a replica's report --------------------------------------------------------------------------

    /**
     * The object {@code name} of {@code dirFid} binds on {@code volume} (the directory itself when {@code name} is
     * null), in conflict or not; a directory's entries as many as fit {@code entryBytes}. Its conflicts: every one
     * naming the name or the object, and every one naming an object of those (a repair ends them all).
     */
    public static Seen read(Volume volume, Fid dirFid, String name, int entryBytes) {
        Vnode dir = dirFid == null || dirFid.volume() != volume.volumeId() ? null : volume.vnode(dirFid.vnode());
        if (dir == null || dir.unique() != dirFid.unique() || !dir.isDirectory()) {
            return Seen.none("no directory " + dirFid + " here", List.of());
        }
        Set<ConflictRecord> conflicts = new LinkedHashSet<>();
        if (name == null) { // the directory itself: its version, for the stamp of a repair of its names
            return new Seen(dir.toRecord(List.of()), false, null, List.of());
        }
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
            return Seen.none("no entry '" + name + "' in " + dirFid + " here", List.copyOf(conflicts));
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
        return new Seen(object.toRecord(entries), complete, null, List.copyOf(conflicts));
    }

    // ---- the coordinator's decisions ---------------------------------------------------------------------

    /**
     * Replica {@code keep}'s version of file {@code name} of {@code dir} becomes every replica's ({@code versions}:
     * every replica's report, by index): the kept contents and attributes, and one final version (the merge of every
     * replica's vector with every slot one higher, so it dominates each of them; a data version one above the
     * highest).
     */
    public static Decision repairFile(String volumeName, Fid dir, String name, int keep, List<Seen> versions,
                                      long now) {
        Refused refusal = fileRefusal(volumeName, dir, name, keep, versions);
        if (refusal != null) {
            return refusal;
        }
        VnodeRecord kept = versions.get(keep).vnode();
        Fid fid = new Fid(dir.volume(), kept.vnode(), kept.unique());
        VersionVector vector = null;
        long dataVersion = 0;
        for (Seen v : versions) {
            vector = vector == null ? v.vnode().versionVector() : vector.merge(v.vnode().versionVector());
            dataVersion = Math.max(dataVersion, v.vnode().dataVersion());
        }
        for (int slot = 0; slot < versions.size(); slot++) {
            vector = vector.increment(slot); // dominates every replica's version of it
        }
        PlanStep.Stamp stamp = new PlanStep.Stamp(fid, dataVersion + 1, vector, kept.mtimeMillis(), now);
        List<List<PlanStep>> steps = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            steps.add(i == keep ? List.of(stamp) : List.of(new PlanStep.TakeData(fid, keep, kept.mode(), kept.size(),
                    kept.mtimeMillis(), kept.blobId(), kept.blobLength()), stamp));
        }
        return new FileRepair(fid, steps);
    }

    private static Refused fileRefusal(String volumeName, Fid dir, String name, int keep, List<Seen> versions) {
        String what = "'" + name + "' in " + dir;
        if (keep < 0 || keep >= versions.size()) {
            return new Refused(Status.INVALID_ARGUMENT, "volume '" + volumeName + "' has replicas 0 to "
                    + (versions.size() - 1) + ", not " + keep);
        }
        VnodeRecord kept = versions.get(keep).vnode();
        if (kept == null) {
            return new Refused(Status.NOT_FOUND, "replica " + keep + " has no " + what + ": "
                    + versions.get(keep).problem());
        }
        if (kept.type() == FileType.DIRECTORY) {
            return new Refused(Status.IS_A_DIRECTORY, what + " is a directory: 'repair file' repairs files");
        }
        Set<ConflictRecord> conflicts = new LinkedHashSet<>();
        for (int i = 0; i < versions.size(); i++) {
            Seen v = versions.get(i);
            if (v.vnode() == null || v.vnode().vnode() != kept.vnode() || v.vnode().unique() != kept.unique()) {
                return new Refused(Status.INVALID_ARGUMENT, "replica " + i + " binds " + what
                        + " to another object or to none (" + (v.vnode() == null ? v.problem() : "vnode "
                        + v.vnode().vnode()) + "): that conflict is over names, not one file's versions; see 'strand repair dir'");
            }
            conflicts.addAll(v.conflicts());
        }
        if (conflicts.isEmpty()) {
            return new Refused(Status.INVALID_ARGUMENT, what + " is not in conflict on any replica");
        }
        for (ConflictRecord c : conflicts) {
            if (c.objects().size() != 1 || !c.names().isEmpty()) {
                return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict with "
                        + c.objects().size() + " objects and " + c.names().size() + " names (" + c.paths()
                        + "): a file's repair cannot settle it alone");
            }
        }
        return null;
    }

    /** Why the choice of names is not one {@code repair dir} takes, or null. */
    public static String dirChoiceInvalid(String volumeName, int replicas, List<String> names, List<Integer> keep) {
        String invalid = names.isEmpty() ? "no name chosen"
                : names.size() > MAX_DIR_NAMES ? "at most " + MAX_DIR_NAMES + " names at a time"
                : names.size() != keep.size() ? "one replica per name"
                : new LinkedHashSet<>(names).size() != names.size() ? "a name chosen twice" : null;
        for (int k : keep) {
            if (invalid == null && (k < 0 || k >= replicas)) {
                invalid = "volume '" + volumeName + "' has replicas 0 to " + (replicas - 1) + ", not " + k;
            }
        }
        return invalid;
    }

    /**
     * What {@code repair dir} reads from every replica, in order: the directory itself (null), each chosen name and,
     * with {@code renameOthers}, each name the others would take.
     */
    public static List<String> dirReads(List<String> names, boolean renameOthers, int replicas) {
        List<String> reads = new ArrayList<>();
        reads.add(null);
        reads.addAll(names);
        if (renameOthers) {
            for (String name : names) {
                for (int j = 0; j < replicas; j++) {
                    reads.add(conflictName(name, j));
                }
            }
        }
        return reads;
    }

    /** Where replica {@code replica}'s object bound to {@code name} is kept with rename-others. */
    public static String conflictName(String name, int replica) {
        return name + ".conflict-r" + replica;
    }

    /**
     * For each of {@code names}, replica {@code keep.get(n)}'s binding becomes every replica's; the others' objects
     * are removed, or kept as {@link #conflictName} with {@code renameOthers}. {@code seen}: per replica, its report
     * of each of {@link #dirReads} by name ("" for the directory). The directory and every object kept get one final
     * version dominating every earlier one.
     */
    public static Decision repairDir(Fid dirFid, List<String> names, List<Integer> keep, boolean renameOthers,
                                     List<Map<String, Seen>> seen, long now) {
        int replicas = seen.size();
        VersionVector dirVector = null;
        long dirData = 0;
        for (int i = 0; i < replicas; i++) {
            VnodeRecord d = seen.get(i).get("").vnode();
            if (d == null || d.type() != FileType.DIRECTORY) {
                return new Refused(Status.NOT_FOUND, "replica " + i + ": " + seen.get(i).get("").problem());
            }
            dirVector = dirVector == null ? d.versionVector() : dirVector.merge(d.versionVector());
            dirData = Math.max(dirData, d.dataVersion());
        }
        List<VolumeSnapshot.EntryRecord> bindings = new ArrayList<>();
        Map<Long, VnodeRecord> objects = new LinkedHashMap<>();
        List<Fid> dropped = new ArrayList<>();
        List<Fid> cleared = new ArrayList<>();
        // an object one replica moved from one chosen name to another is kept under at most one of them
        Map<Long, String> keptObjects = new HashMap<>(); // vnode -> the name that keeps it
        for (int n = 0; n < names.size(); n++) {
            VnodeRecord k = seen.get(keep.get(n)).get(names.get(n)).vnode();
            String before = k == null ? null : keptObjects.putIfAbsent(k.vnode(), names.get(n));
            if (before != null) { // its record holds one name and one version: which one would be a guess
                return new Refused(Status.INVALID_ARGUMENT, "'" + before + "' and '" + names.get(n) + "' in " + dirFid
                        + " keep one object (vnode " + k.vnode() + "): keep it under one name");
            }
        }
        Set<Long> placed = new java.util.HashSet<>(); // objects not kept, already dropped or renamed
        for (int n = 0; n < names.size(); n++) {
            String name = names.get(n);
            String what = "'" + name + "' in " + dirFid;
            Set<ConflictRecord> conflicts = new LinkedHashSet<>();
            Map<Long, Integer> firstHolder = new LinkedHashMap<>(); // object bound to the name -> first replica
            for (int i = 0; i < replicas; i++) {
                Seen v = seen.get(i).get(name);
                conflicts.addAll(v.conflicts());
                if (v.vnode() != null) {
                    if (v.vnode().type() == FileType.DIRECTORY) {
                        return new Refused(Status.INVALID_ARGUMENT, "replica " + i + " binds " + what
                                + " to a directory: 'repair dir' settles names bound to files and symbolic"
                                + " links only (not yet directories)");
                    }
                    firstHolder.putIfAbsent(v.vnode().vnode(), i);
                }
            }
            if (conflicts.isEmpty()) {
                return new Refused(Status.INVALID_ARGUMENT, what + " is not in conflict on any replica");
            }
            for (ConflictRecord c : conflicts) {
                if (!NAME_KINDS.contains(c.kind())) {
                    return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict ("
                            + c.paths() + "): 'repair dir' settles NAME_NAME and REMOVE_UPDATE"
                            + (c.kind().equals("UPDATE_UPDATE") ? "; use 'repair file'" : ""));
                }
                // the repair ends the whole conflict: a name of it left out would stay different on the replicas
                // with no conflict marked any more
                for (ConflictRecord.Name other : c.names()) {
                    if (!other.dir().equals(dirFid)) {
                        return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict that"
                                + " also names '" + other.name() + "' in directory " + other.dir() + " (" + c.paths()
                                + "): 'repair dir' settles the names of one directory only");
                    }
                    if (!names.contains(other.name())) {
                        return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict that"
                                + " also names '" + other.name() + "': choose a replica for every name of it in one"
                                + " repair");
                    }
                }
                cleared.addAll(c.objects());
            }
            VnodeRecord kept = seen.get(keep.get(n)).get(name).vnode();
            for (Map.Entry<Long, Integer> holder : firstHolder.entrySet()) {
                int i = holder.getValue();
                VnodeRecord o = seen.get(i).get(name).vnode();
                boolean isKept = kept != null && o.vnode() == kept.vnode() && o.unique() == kept.unique();
                if (isKept) {
                    o = kept; // the chosen replica's version of it
                } else if (keptObjects.containsKey(o.vnode()) || !placed.add(o.vnode())) {
                    cleared.add(new Fid(dirFid.volume(), o.vnode(), o.unique())); // kept, dropped or renamed once
                    continue;
                }
                if (!isKept && mostLinks(seen, o) > 1) { // on any replica that showed it
                    return new Refused(Status.INVALID_ARGUMENT, "replica " + i + "'s object bound to " + what
                            + " has other names: 'repair dir' does not remove or move it");
                }
                String boundAs = isKept ? name : renameOthers ? conflictName(name, i) : null;
                Fid fid = new Fid(dirFid.volume(), o.vnode(), o.unique());
                cleared.add(fid);
                if (boundAs == null) {
                    dropped.add(fid);
                    continue;
                }
                if (!isKept) {
                    try {
                        Names.checkEntryName(boundAs);
                    } catch (StrandException tooLong) {
                        return new Refused(Status.INVALID_ARGUMENT, "cannot keep replica " + i + "'s object as '"
                                + boundAs + "': " + tooLong.getMessage());
                    }
                    for (int r = 0; r < replicas; r++) {
                        if (seen.get(r).get(boundAs).vnode() != null) {
                            return new Refused(Status.INVALID_ARGUMENT, "'" + boundAs + "' exists in " + dirFid
                                    + " on replica " + r + ": rename it first");
                        }
                    }
                }
                objects.put(o.vnode(), stamped(seen, o, dirFid, now, isKept
                        ? linksAfter(seen.get(keep.get(n)), names, name, o) : 1));
                bindings.add(new VolumeSnapshot.EntryRecord(boundAs, o.vnode(), o.unique(), o.type()));
            }
        }
        for (int slot = 0; slot < replicas; slot++) {
            dirVector = dirVector.increment(slot); // dominates every replica's version of the directory
        }
        PlanStep.Stamp dirStamp = new PlanStep.Stamp(dirFid, dirData + 1, dirVector, now, now);
        return new NamesRepair(dirFid, names, bindings, List.copyOf(objects.values()), dropped, dirStamp,
                List.copyOf(new LinkedHashSet<>(cleared)));
    }

    /**
     * {@code o} with its final version: the merge of every replica's vector of it (under any name read) with every
     * slot one higher, a data version one above the highest; {@code links} names, one of them in the directory.
     */
    /** The most names any replica's version of {@code o} read here has. */
    private static int mostLinks(List<Map<String, Seen>> seen, VnodeRecord o) {
        int most = o.linkCount();
        for (Map<String, Seen> replica : seen) {
            for (Seen read : replica.values()) {
                VnodeRecord v = read.vnode();
                if (v != null && v.vnode() == o.vnode() && v.unique() == o.unique()) {
                    most = Math.max(most, v.linkCount());
                }
            }
        }
        return most;
    }

    /**
     * How many names the kept object {@code o} has after the repair: as many as on the replica it is kept from (its
     * names elsewhere stay), less the other chosen names that bind it there and will bind another object or none.
     */
    private static int linksAfter(Map<String, Seen> keeper, List<String> names, String keptAs, VnodeRecord o) {
        int links = o.linkCount();
        for (String other : names) {
            VnodeRecord bound = other.equals(keptAs) ? null : keeper.get(other).vnode();
            if (bound != null && bound.vnode() == o.vnode() && bound.unique() == o.unique()) {
                links--;
            }
        }
        return Math.max(1, links);
    }

    private static VnodeRecord stamped(List<Map<String, Seen>> seen, VnodeRecord o, Fid dir, long now, int links) {
        VersionVector vector = o.versionVector();
        long dataVersion = o.dataVersion();
        for (Map<String, Seen> replica : seen) {
            for (Seen read : replica.values()) { // under any name read: a replica may bind it under another
                VnodeRecord v = read.vnode();
                if (v != null && v.vnode() == o.vnode() && v.unique() == o.unique()) {
                    vector = vector.merge(v.versionVector());
                    dataVersion = Math.max(dataVersion, v.dataVersion());
                }
            }
        }
        for (int slot = 0; slot < seen.size(); slot++) {
            vector = vector.increment(slot);
        }
        return new VnodeRecord(o.vnode(), o.unique(), o.type(), o.mode(), o.owner(), o.size(), links, o.mtimeMillis(),
                now, dataVersion + 1, vector, o.blobId(), o.blobLength(), o.symlinkTarget(), dir.vnode(), List.of());
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
     * (its own, with the chosen names bound as decided), the kept objects, the removed ones, the directory's stamp,
     * then the end of the conflicts. {@link Changed} (nothing decided) if its state is not what was read.
     */
    public static List<VolumeEvent> namesRepairEvents(Volume volume, int replica, NamesRepair repair) {
        Vnode dir = volume.vnode(repair.dir().vnode());
        if (dir == null || dir.unique() != repair.dir().unique() || !dir.isDirectory()) {
            throw new Changed("no directory " + repair.dir() + " here");
        }
        VnodeRecord d = dir.toRecord(dir.entryRecords());
        Map<String, VolumeSnapshot.EntryRecord> entries = new TreeMap<>();
        d.entries().forEach(e -> entries.put(e.name(), e));
        repair.names().forEach(entries::remove);
        for (VolumeSnapshot.EntryRecord b : repair.bindings()) {
            if (entries.put(b.name(), b) != null) {
                throw new Changed("'" + b.name() + "' exists in " + repair.dir() + " here");
            }
        }
        List<Long> removed = new ArrayList<>();
        for (Fid f : repair.dropped()) {
            Vnode gone = volume.vnode(f.vnode());
            if (gone == null || gone.unique() != f.unique()) {
                continue; // this replica never had it
            }
            if (gone.isDirectory() || gone.linkCount() > 1) {
                throw new Changed(f + " is a directory or has other names here");
            }
            removed.add(f.vnode());
        }
        for (VnodeRecord o : repair.objects()) {
            Vnode there = volume.vnode(o.vnode());
            if (there != null && (there.unique() != o.unique() || there.type() != o.type())) {
                throw new Changed("vnode " + o.vnode() + " is another object here");
            }
        }
        PlanStep.Stamp s = repair.dirStamp();
        List<VnodeRecord> installed = new ArrayList<>();
        installed.add(new VnodeRecord(d.vnode(), d.unique(), d.type(), d.mode(), d.owner(), d.size(),
                d.linkCount(), s.mtimeMillis(), s.ctimeMillis(), s.dataVersion(), s.versionVector(), d.blobId(),
                d.blobLength(), d.symlinkTarget(), d.parent(), List.copyOf(entries.values())));
        installed.addAll(repair.objects());
        return List.of(new VolumeEvent.VnodesInstalled(replica, installed, List.of(), removed),
                new VolumeEvent.NamesRepaired(repair.dir(), repair.names(), repair.cleared()));
    }
}

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
     * {@code cleared} (or those names) ended; {@code others}: the names of other directories those conflicts name,
     * settled in the same write.
     */
    public record NamesRepair(Fid dir, List<String> names, List<VolumeSnapshot.EntryRecord> bindings,
                              List<VnodeRecord> objects, List<Fid> dropped, PlanStep.Stamp dirStamp,
                              List<Fid> cleared, List<OtherDir> others) implements Decision {
        public NamesRepair {
            names = List.copyOf(names);
            bindings = List.copyOf(bindings);
            objects = List.copyOf(objects);
            dropped = List.copyOf(dropped);
            cleared = List.copyOf(cleared);
            others = others == null ? List.of() : List.copyOf(others);
        }
    }

    /** Names of another directory a {@code repair dir} settles: {@code names} bound as {@code bindings}, stamped. */
    public record OtherDir(Fid dir, List<String> names, List<VolumeSnapshot.EntryRecord> bindings,
                           PlanStep.Stamp stamp) {
        public OtherDir {
            names = List.copyOf(names);
            bindings = List.copyOf(bindings);
        }
    }

    /** Name {@code name} of directory {@code dir} takes replica {@code keep}'s binding. */
    public record Choice(Fid dir, String name, int keep) {}

    /**
     * {@code repair dir} must read more before it decides: the names of {@code choices} too (names the chosen ones'
     * conflicts name: other directories', and this directory's where a {@code RENAME_RENAME} moved a name; each
     * taken from the replica chosen for the name it came with), and {@code objects} by fid ({@link #read} with no
     * name). Ask {@link #repairDir} again with the choices added (this directory's to its names) and the reads added
     * ({@link #reads}).
     */
    public record ReadFirst(List<Choice> choices, List<Fid> objects, List<Tree> trees) implements Decision {
        public ReadFirst {
            choices = List.copyOf(choices);
            objects = List.copyOf(objects);
            trees = trees == null ? List.of() : List.copyOf(trees);
        }

        public ReadFirst(List<Choice> choices, List<Fid> objects) {
            this(choices, objects, List.of());
        }
    }

    /**
     * A directory a chosen name binds on replica {@code replica}: {@code repair dir} reads its whole subtree from that
     * replica ({@link #subtreeInPieces}, page by page, joined with {@link VnodeImages#joinPieces}) before it decides.
     */
    public record Tree(int replica, Fid dir) {}

    /**
     * Most bytes of objects one {@code repair dir} installs and removes (by {@link #imageBytes}, 32 bytes per removal):
     * they go into every replica's one atomic write, one Cassandra mutation, which may hold at most half a commit-log
     * segment (16 MiB with Cassandra's default segments): the same bound as a resolution's staged steps.
     */
    public static final long MAX_REPAIR_BYTES = 8L * 1024 * 1024;

    /** The estimated serialized size of {@code image} (a vnode record and its entries). */
    public static long imageBytes(VnodeRecord image) {
        long bytes = VnodeSync.VNODE_RECORD_BYTES + (image.symlinkTarget() == null ? 0
                : FrameBudget.text(image.symlinkTarget()));
        for (VolumeSnapshot.EntryRecord e : image.entries()) {
            bytes += VnodeSync.ENTRY_RECORD_BYTES + FrameBudget.text(e.name());
        }
        return bytes;
    }

    /** What a removal adds to a repair's write (a fid, and its number in the event). */
    static final int REMOVAL_BYTES = 32;

    /** One report {@code repair dir} reads from every replica: {@code name} of {@code dir}, kept under {@code key}. */
    public record Read(Fid dir, String name, String key) {}

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
    public static Seen read(Volume volume, Fid dirFid, String name, int entryBytes) {
        Vnode dir = dirFid == null || dirFid.volume() != volume.volumeId() ? null : volume.vnode(dirFid.vnode());
        if (name == null) { // the object itself, by fid: a directory for the stamp of a repair of its names, or an
            // object of the conflicts that repair ends (no entries, no conflicts)
            return dir == null || dir.unique() != dirFid.unique() ? Seen.none("no object " + dirFid + " here",
                    List.of()) : new Seen(dir.toRecord(List.of()), false, null, List.of());
        }
        if (dir == null || dir.unique() != dirFid.unique() || !dir.isDirectory()) {
            return Seen.none("no directory " + dirFid + " here", List.of());
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

    // ---- the coordinator's decisions ---------------------------------------------------------------------

    /**
     * Replica {@code keep}'s version of file {@code name} of {@code dir} becomes every replica's ({@code versions}:
     * every replica's report, by index): the kept contents and attributes, and one final version (the merge of every
     * replica's vector with every slot one higher, so it dominates each of them; a data version one above the
     * highest).
     */
    public static Decision repairFile(String volumeName, Fid dir, String name, int keep, List<Seen> versions,
                                      long now) {
        return repairFile(volumeName, dir, name, keep, versions, null, null, now);
    }

    /**
     * As {@link #repairFile(String, Fid, String, int, List, long)}, but with {@code staged} (every replica's version of
     * file {@code stagedFid}, a file the client stored the new contents to) the contents are the staged file's: one
     * write per replica takes the conflict to the new contents, with the kept replica's attributes.
     */
    public static Decision repairFile(String volumeName, Fid dir, String name, int keep, List<Seen> versions,
                                      Fid stagedFid, List<Seen> staged, long now) {
        Refused refusal = fileRefusal(volumeName, dir, name, keep, versions);
        if (refusal == null && staged != null) {
            refusal = stagedRefusal(versions.get(keep).vnode(), stagedFid, staged);
        }
        if (refusal != null) {
            return refusal;
        }
        VnodeRecord kept = versions.get(keep).vnode();
        VnodeRecord data = staged == null ? kept : staged.get(0).vnode();
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
        PlanStep.Stamp stamp = new PlanStep.Stamp(fid, dataVersion + 1, vector, data.mtimeMillis(), now);
        List<List<PlanStep>> steps = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            steps.add(i == keep && staged == null ? List.of(stamp) : List.of(new PlanStep.TakeData(fid, keep,
                    kept.mode(), data.size(), data.mtimeMillis(), data.blobId(), data.blobLength()), stamp));
        }
        return new FileRepair(fid, steps);
    }

    /** Why the staged file cannot give the repaired file its contents, or null. */
    private static Refused stagedRefusal(VnodeRecord kept, Fid stagedFid, List<Seen> staged) {
        if (kept.type() != FileType.FILE) {
            return new Refused(Status.INVALID_ARGUMENT, "vnode " + kept.vnode() + " is a " + kept.type()
                    + ", not a file: new contents are for a file");
        }
        VnodeRecord first = staged.get(0).vnode();
        for (int i = 0; i < staged.size(); i++) {
            VnodeRecord v = staged.get(i).vnode();
            if (v == null || v.unique() != stagedFid.unique() || v.type() != FileType.FILE) {
                return new Refused(Status.NOT_FOUND, "replica " + i + " has no file " + stagedFid + " to take the new"
                        + " contents from" + (v == null ? " (" + staged.get(i).problem() + ")" : ""));
            }
            if (v.vnode() == kept.vnode() || !java.util.Objects.equals(v.blobId(), first.blobId())
                    || v.blobLength() != first.blobLength()) {
                return new Refused(Status.INVALID_ARGUMENT, "replica " + i + "'s " + stagedFid + " is not the file"
                        + " the new contents were stored to on every replica");
            }
        }
        return null;
    }

    private static Refused fileRefusal(String volumeName, Fid dir, String name, int keep, List<Seen> versions) {
        String what = "'" + name + "' in " + dir;
        if (keep < 0 || keep >= versions.size()) {
            return new Refused(Status.INVALID_ARGUMENT, "volume '" + volumeName + "' has replicas 0 to "
                    + (versions.size() - 1) + ", not " + keep);
        }
        VnodeRecord kept = versions.get(keep).vnode();
        Set<ConflictRecord> conflicts = new LinkedHashSet<>();
        versions.forEach(v -> conflicts.addAll(v.conflicts()));
        if (kept == null) { // e.g. it moved the file: the conflict names its other name too
            return new Refused(Status.NOT_FOUND, "replica " + keep + " has no " + what + ": "
                    + versions.get(keep).problem() + (conflicts.isEmpty() ? "" : "; it is in conflict: "
                    + dirRepairHint(dir, conflicts)));
        }
        if (kept.type() == FileType.DIRECTORY) {
            return new Refused(Status.IS_A_DIRECTORY, what + " is a directory: 'repair file' repairs files");
        }
        for (int i = 0; i < versions.size(); i++) {
            Seen v = versions.get(i);
            if (v.vnode() == null || v.vnode().vnode() != kept.vnode() || v.vnode().unique() != kept.unique()) {
                return new Refused(Status.INVALID_ARGUMENT, "replica " + i + " binds " + what
                        + " to another object or to none (" + (v.vnode() == null ? v.problem() : "vnode "
                        + v.vnode().vnode()) + "): that conflict is over names, not one file's versions; "
                        + dirRepairHint(dir, conflicts));
            }
        }
        if (conflicts.isEmpty()) {
            return new Refused(Status.INVALID_ARGUMENT, what + " is not in conflict on any replica");
        }
        for (ConflictRecord c : conflicts) {
            if (c.objects().size() != 1 || !c.names().isEmpty()) {
                return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict with "
                        + c.objects().size() + " objects and " + c.names().size() + " names (" + c.paths()
                        + "): a file's repair cannot settle it alone; " + dirRepairHint(dir, conflicts));
            }
        }
        return null;
    }

    /**
     * The {@code repair dir} that settles {@code conflicts}' names: those of each directory, the one holding the name
     * asked for first (a file one side changed and moved is in a conflict naming both its names).
     */
    private static String dirRepairHint(Fid dir, Set<ConflictRecord> conflicts) {
        Map<Fid, Set<String>> byDir = new java.util.LinkedHashMap<>();
        byDir.put(dir, new java.util.TreeSet<>());
        conflicts.forEach(c -> c.names().forEach(n -> byDir.computeIfAbsent(n.dir(), d -> new java.util.TreeSet<>())
                .add(n.name())));
        byDir.values().removeIf(Set::isEmpty);
        if (byDir.isEmpty()) {
            return "see 'strand repair dir'";
        }
        StringBuilder hint = new StringBuilder("use 'strand repair dir' with a replica R for every name of it: ");
        byDir.forEach((d, names) -> hint.append("in ").append(d.equals(dir) ? "its directory" : "directory " + d)
                .append(names.stream().map(n -> " --keep " + n + "=R").reduce("", String::concat)).append("; "));
        paths(conflicts).ifPresent(p -> hint.append("paths ").append(p));
        return hint.toString().replaceAll("; $", "");
    }

    private static java.util.Optional<String> paths(Set<ConflictRecord> conflicts) {
        Set<String> paths = new java.util.TreeSet<>();
        conflicts.forEach(c -> paths.addAll(c.paths()));
        return paths.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", paths));
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
     * For each of {@code names}, replica {@code keep.get(n)}'s binding becomes every replica's, and so for each of
     * {@code elsewhere} (names of other directories); the others' objects are removed, or kept as {@link
     * #conflictName} with {@code renameOthers}. {@code seen}: per replica, its report of each of {@link #reads} by
     * key; {@code byFid}: per replica, its report of each object a {@link ReadFirst} asked for. Every directory and
     * every object kept get one final version dominating every earlier one; so does every other object of the
     * conflicts it ends (or it is removed everywhere).
     */
    public static Decision repairDir(Fid dirFid, List<String> names, List<Integer> keep, List<Choice> elsewhere,
                                     boolean renameOthers, List<Map<String, Seen>> seen,
                                     List<Map<Fid, Seen>> byFid, long now) {
        return repairDir(dirFid, names, keep, elsewhere, renameOthers, seen, byFid,
                seen.stream().map(r -> Map.<Fid, List<VnodeRecord>>of()).toList(), MAX_REPAIR_BYTES, now);
    }

    /**
     * As above, where chosen names may be bound to directories: {@code trees}, per replica, the subtrees a {@link
     * ReadFirst} asked for ({@link ReadFirst#trees}), by directory, joined images with the directory first. A kept
     * directory is installed with its whole subtree (as the replica it is kept from holds it) on every replica, so is
     * one kept as {@code NAME.conflict-rJ}; a dropped one is removed with its subtree everywhere. Refused if the
     * objects installed and removed would pass {@code maxBytes} ({@link #MAX_REPAIR_BYTES} in the server).
     */
    public static Decision repairDir(Fid dirFid, List<String> names, List<Integer> keep, List<Choice> elsewhere,
                                     boolean renameOthers, List<Map<String, Seen>> seen,
                                     List<Map<Fid, Seen>> byFid, List<Map<Fid, List<VnodeRecord>>> trees,
                                     long maxBytes, long now) {
        return DirRepairPlanner.decide(dirFid, names, keep, elsewhere, renameOthers, seen, byFid, trees, maxBytes,
                now);
    }

    /** {@link #repairDir} before anything but {@link #dirReads} was read. */
    public static Decision repairDir(Fid dirFid, List<String> names, List<Integer> keep, boolean renameOthers,
                                     List<Map<String, Seen>> seen, long now) {
        return repairDir(dirFid, names, keep, List.of(), renameOthers, seen,
                seen.stream().map(r -> Map.<Fid, Seen>of()).toList(), now);
    }

    /**
     * Every report {@code repair dir} of {@code dirFid} reads for these choices: {@link #dirReads} of this directory's
     * names, and for each other directory the directory itself, its names and (with {@code renameOthers}) the names
     * the others would take there.
     */
    public static List<Read> reads(Fid dirFid, List<String> names, List<Choice> elsewhere, boolean renameOthers,
                                   int replicas) {
        List<Read> reads = new ArrayList<>();
        for (String name : dirReads(names, renameOthers, replicas)) {
            reads.add(new Read(dirFid, name, DirRepairPlanner.key(dirFid, dirFid, name)));
        }
        for (Choice c : elsewhere) {
            List<String> of = new ArrayList<>();
            of.add(null);
            of.add(c.name());
            for (int j = 0; renameOthers && j < replicas; j++) {
                of.add(conflictName(c.name(), j));
            }
            for (String name : of) {
                Read read = new Read(c.dir(), name, DirRepairPlanner.key(dirFid, c.dir(), name));
                if (!reads.contains(read)) {
                    reads.add(read);
                }
            }
        }
        return reads;
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
    public static List<VolumeEvent> namesRepairEvents(Volume volume, int replica, NamesRepair repair) {
        List<VnodeRecord> installed = new ArrayList<>();
        installed.add(rebuilt(volume, repair.dir(), repair.names(), repair.bindings(), repair.dirStamp()));
        for (OtherDir other : repair.others()) {
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
    private static void checkRemovals(Volume volume, NamesRepair repair, List<Long> removed) {
        Set<Long> removing = new java.util.HashSet<>(removed);
        Set<Long> installing = new java.util.HashSet<>();
        repair.objects().forEach(o -> installing.add(o.vnode()));
        Map<Long, Integer> namesGoing = new java.util.HashMap<>();
        List<OtherDir> dirs = new ArrayList<>(repair.others());
        dirs.add(new OtherDir(repair.dir(), repair.names(), List.of(), repair.dirStamp()));
        for (OtherDir d : dirs) {
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

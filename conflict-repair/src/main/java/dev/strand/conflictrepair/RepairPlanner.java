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
 * The decisions of {@code strand repair}, without Pekko: what the coordinator decides from every replica's report
 * for a repair choice ({@link #repairFile}, {@link #repairDir}: each replica's steps and the new version dominating
 * every earlier one, or why it refuses). A replica's report and the events it journals to perform its part are
 * {@link ReplicaRepairs}'. The actors
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
}

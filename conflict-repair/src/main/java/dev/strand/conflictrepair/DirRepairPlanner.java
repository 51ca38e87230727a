package dev.strand.conflictrepair;

import dev.strand.conflictrepair.RepairPlanner.Choice;
import dev.strand.conflictrepair.RepairPlanner.Decision;
import dev.strand.conflictrepair.RepairPlanner.NamesRepair;
import dev.strand.conflictrepair.RepairPlanner.ReadFirst;
import dev.strand.conflictrepair.RepairPlanner.Refused;
import dev.strand.conflictrepair.RepairPlanner.Seen;
import dev.strand.protocol.Names;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The coordinator's decision for {@code strand repair dir} ({@link RepairPlanner#repairDir}). */
final class DirRepairPlanner {

    private DirRepairPlanner() {}

    /** The conflict kinds {@code repair dir} settles: a name bound differently, an object removed, a name moved. */
    private static final Set<String> NAME_KINDS = Set.of("NAME_NAME", "REMOVE_UPDATE", "RENAME_RENAME");

    static Decision decide(Fid dirFid, List<String> names, List<Integer> keep, List<Choice> elsewhere,
                           boolean renameOthers, List<Map<String, Seen>> seen, List<Map<Fid, Seen>> byFid,
                           List<Map<Fid, List<VnodeRecord>>> trees, long maxBytes, long now) {
        int replicas = seen.size();
        List<Choice> slots = new ArrayList<>(); // every name chosen: this directory's, then the others'
        for (int n = 0; n < names.size(); n++) {
            slots.add(new Choice(dirFid, names.get(n), keep.get(n)));
        }
        slots.addAll(elsewhere);
        Map<Fid, PlanStep.Stamp> stamps = new LinkedHashMap<>(); // this directory first
        Map<Fid, List<VolumeSnapshot.EntryRecord>> bindings = new LinkedHashMap<>();
        for (Choice slot : slots) {
            if (!stamps.containsKey(slot.dir())) {
                Object stamp = dirStamp(dirFid, slot.dir(), seen, now);
                if (stamp instanceof Refused refused) {
                    return refused;
                }
                stamps.put(slot.dir(), (PlanStep.Stamp) stamp);
                bindings.put(slot.dir(), new ArrayList<>());
            }
        }
        // a directory bound to a chosen name is kept or dropped with its whole subtree: each replica's is read first
        List<RepairPlanner.Tree> unreadTrees = new ArrayList<>();
        for (Choice slot : slots) {
            for (int i = 0; i < replicas; i++) {
                Fid tree = DirSubtrees.directoryBound(dirFid, seen.get(i).get(key(dirFid, slot)));
                RepairPlanner.Tree unread = new RepairPlanner.Tree(i, tree);
                if (tree != null && !trees.get(i).containsKey(tree) && !unreadTrees.contains(unread)) {
                    unreadTrees.add(unread);
                }
            }
        }
        if (!unreadTrees.isEmpty()) {
            return new ReadFirst(List.of(), List.of(), unreadTrees);
        }
        // names of directories inside those subtrees (the conflict names what was made in them) go with the subtrees
        Set<Long> inTrees = new HashSet<>();
        for (Choice slot : slots) {
            for (int i = 0; i < replicas; i++) {
                Fid tree = DirSubtrees.directoryBound(dirFid, seen.get(i).get(key(dirFid, slot)));
                if (tree != null) {
                    trees.get(i).get(tree).forEach(image -> inTrees.add(image.vnode()));
                }
            }
        }
        ReadFirst implied = impliedChoices(dirFid, slots, seen, inTrees);
        if (implied != null) {
            return slots.size() + implied.choices().size() > RepairPlanner.MAX_DIR_NAMES
                    ? new Refused(Status.INVALID_ARGUMENT, "the conflicts of " + names + " in " + dirFid
                    + " name " + implied.choices().size() + " more names: more than " + RepairPlanner.MAX_DIR_NAMES)
                    : implied;
        }
        Map<Long, VnodeRecord> objects = new LinkedHashMap<>();
        List<DirSubtrees.TreeInstall> treeInstalls = new ArrayList<>(); // directories kept (or renamed) with their subtree
        List<Fid> dropped = new ArrayList<>();
        List<Fid> cleared = new ArrayList<>();
        // an object one replica moved from one chosen name to another is kept under at most one of them
        Map<Long, String> keptObjects = new HashMap<>(); // vnode -> the name that keeps it
        for (Choice slot : slots) {
            VnodeRecord k = seen.get(slot.keep()).get(key(dirFid, slot)).vnode();
            String before = k == null ? null : keptObjects.putIfAbsent(k.vnode(), label(dirFid, slot));
            if (before != null) { // its record holds one name and one version: which one would be a guess
                return new Refused(Status.INVALID_ARGUMENT, before + " and " + label(dirFid, slot)
                        + " keep one object (vnode " + k.vnode() + "): keep it under one name");
            }
        }
        Set<Long> placed = new HashSet<>(); // objects not kept, already dropped or renamed
        Set<ConflictRecord> versionsOnly = new LinkedHashSet<>(); // UPDATE_UPDATEs naming no name
        Set<ConflictRecord> allConflicts = new LinkedHashSet<>(); // of every chosen name
        for (Choice slot : slots) {
            String name = slot.name();
            String key = key(dirFid, slot);
            String what = "'" + name + "' in " + slot.dir();
            Set<ConflictRecord> conflicts = new LinkedHashSet<>();
            Map<Long, Integer> firstHolder = new LinkedHashMap<>(); // object bound to the name -> first replica
            for (int i = 0; i < replicas; i++) {
                Seen v = seen.get(i).get(key);
                conflicts.addAll(v.conflicts());
                allConflicts.addAll(v.conflicts());
                if (v.vnode() != null) {
                    firstHolder.putIfAbsent(v.vnode().vnode(), i);
                }
            }
            if (conflicts.isEmpty() && slot.dir().equals(dirFid)) {
                return new Refused(Status.INVALID_ARGUMENT, what + " is not in conflict on any replica");
            }
            for (ConflictRecord c : conflicts) {
                Refused refused = kindRefusal(slots, inTrees, what, c);
                if (refused != null) {
                    return refused;
                }
                if (c.names().isEmpty() && c.kind().equals("UPDATE_UPDATE")) {
                    versionsOnly.add(c);
                }
                cleared.addAll(c.objects());
            }
            VnodeRecord kept = seen.get(slot.keep()).get(key).vnode();
            for (Map.Entry<Long, Integer> holder : firstHolder.entrySet()) {
                int i = holder.getValue();
                VnodeRecord o = seen.get(i).get(key).vnode();
                boolean isKept = kept != null && o.vnode() == kept.vnode() && o.unique() == kept.unique();
                if (isKept) {
                    o = kept; // the chosen replica's version of it
                } else if (keptObjects.containsKey(o.vnode()) || !placed.add(o.vnode())) {
                    cleared.add(new Fid(dirFid.volume(), o.vnode(), o.unique())); // kept, dropped or renamed once
                    continue;
                }
                boolean directory = o.type() == FileType.DIRECTORY; // its link count counts its subdirectories
                boolean allNamesGo = !renameOthers && DirSubtrees.everyNameGoes(dirFid, slots, seen, trees, o);
                if (!isKept && !directory && mostLinks(seen, o) > 1 && !allNamesGo) { // on any replica that showed it
                    return new Refused(Status.INVALID_ARGUMENT, "replica " + i + "'s object bound to " + what
                            + " (vnode " + o.vnode() + ") has " + mostLinks(seen, o) + " names: 'repair dir' does not"
                            + " remove or move an object with other names; " + DirSubtrees.removeOthersFirst(conflicts, name)
                            + ", or keep replica " + i + "'s binding ('--keep " + name + "=" + i + "')");
                }
                String boundAs = isKept ? name : renameOthers ? RepairPlanner.conflictName(name, i) : null;
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
                    for (Choice other : slots) { // one name, two fates: bound to what it keeps, and to this object
                        if (other.dir().equals(slot.dir()) && other.name().equals(boundAs)) {
                            return new Refused(Status.INVALID_ARGUMENT, "'" + boundAs + "' in " + slot.dir() + " is a"
                                    + " name this repair settles and where --rename-others would keep replica " + i
                                    + "'s object bound to " + what + ": repair without --rename-others, or in two"
                                    + " steps");
                        }
                    }
                    for (int r = 0; r < replicas; r++) {
                        if (seen.get(r).get(key(dirFid, slot.dir(), boundAs)).vnode() != null) {
                            return new Refused(Status.INVALID_ARGUMENT, "'" + boundAs + "' exists in " + slot.dir()
                                    + " on replica " + r + ": rename it first");
                        }
                    }
                }
                if (directory) { // installed with its subtree once every name is placed
                    treeInstalls.add(new DirSubtrees.TreeInstall(isKept ? slot.keep() : i, fid, slot.dir().vnode(), name,
                            "replica " + (isKept ? slot.keep() : i) + "'s directory '" + boundAs + "' in "
                                    + slot.dir()));
                } else {
                    objects.put(o.vnode(), stamped(seen, byFid, trees, o, now, isKept
                            ? linksAfter(dirFid, seen.get(slot.keep()), slots, slot, o) : 1, slot.dir().vnode(),
                            List.of()));
                }
                bindings.get(slot.dir()).add(new VolumeSnapshot.EntryRecord(boundAs, o.vnode(), o.unique(), o.type()));
            }
        }
        Refused subtrees = DirSubtrees.subtrees(dirFid, slots, seen, byFid, trees, treeInstalls, objects, dropped, maxBytes, now,
                allConflicts, renameOthers);
        if (subtrees != null) {
            return subtrees;
        }
        // an UPDATE_UPDATE of an object bound to a chosen name ends with the version this repair installs (the chosen
        // replica's, or the one kept as NAME.conflict-rJ) or its removal; of any other object, 'repair file' chooses
        for (ConflictRecord c : versionsOnly) {
            for (Fid f : c.objects()) {
                if (!objects.containsKey(f.vnode()) && dropped.stream().noneMatch(d -> d.vnode() == f.vnode())) {
                    return new Refused(Status.INVALID_ARGUMENT, "vnode " + f.vnode() + " is in an UPDATE_UPDATE"
                            + " conflict (" + c.paths() + ") but bound to none of the chosen names: use 'repair file'");
                }
            }
        }
        // the conflicts' other objects (bound under none of the names, e.g. linked under one and unlinked again):
        // the repair ends their conflicts too, so each must end equal on every replica
        Decision elsewhereObjects = boundElsewhere(stamps.keySet(), keep, seen, byFid, trees, now, cleared, objects,
                dropped);
        if (elsewhereObjects != null) {
            return elsewhereObjects;
        }
        List<RepairPlanner.OtherDir> others = new ArrayList<>();
        for (Fid d : stamps.keySet()) {
            if (!d.equals(dirFid)) {
                others.add(new RepairPlanner.OtherDir(d, slots.stream().filter(c -> c.dir().equals(d))
                        .map(Choice::name).toList(), bindings.get(d), stamps.get(d)));
            }
        }
        return new NamesRepair(dirFid, names, bindings.get(dirFid), List.copyOf(objects.values()), dropped,
                stamps.get(dirFid), List.copyOf(new LinkedHashSet<>(cleared)), others);
    }

    /**
     * Where the report of {@code name} of {@code dir} is kept ({@code name} null: the directory itself): a name of the
     * directory repaired under itself ("" the directory), another directory's under {@code "vnode.unique/name"} (no
     * entry name holds a '/').
     */
    static String key(Fid mainDir, Fid dir, String name) {
        String n = name == null ? "" : name;
        return dir.equals(mainDir) ? n : dir.vnode() + "." + dir.unique() + "/" + n;
    }

    static String key(Fid mainDir, Choice slot) {
        return key(mainDir, slot.dir(), slot.name());
    }

    private static String label(Fid mainDir, Choice slot) {
        return "'" + slot.name() + "'" + (slot.dir().equals(mainDir) ? "" : " (in directory " + slot.dir() + ")")
                + " in " + (slot.dir().equals(mainDir) ? mainDir : slot.dir());
    }

    /** Directory {@code dir}'s final stamp (every replica's vector merged, every slot one higher), or a refusal. */
    private static Object dirStamp(Fid mainDir, Fid dir, List<Map<String, Seen>> seen, long now) {
        VersionVector vector = null;
        long data = 0;
        for (int i = 0; i < seen.size(); i++) {
            Seen read = seen.get(i).get(key(mainDir, dir, null));
            VnodeRecord d = read.vnode();
            if (d == null || d.type() != FileType.DIRECTORY) {
                return new Refused(Status.NOT_FOUND, "replica " + i + ": " + (d == null ? read.problem()
                        : dir + " is not a directory"));
            }
            vector = vector == null ? d.versionVector() : vector.merge(d.versionVector());
            data = Math.max(data, d.dataVersion());
        }
        for (int slot = 0; slot < seen.size(); slot++) {
            vector = vector.increment(slot); // dominates every replica's version of the directory
        }
        return new PlanStep.Stamp(dir, data + 1, vector, now, now);
    }

    /**
     * The names the chosen names' conflicts name too and that are not chosen, each taken from the same replica as the
     * name it came with: those of other directories (a name moved into another directory: the command names one
     * directory), and those of this directory a {@code RENAME_RENAME} names (the places either side moved the name
     * to, so that {@code --keep NAME=R} alone settles the move). Null if there are none.
     */
    private static ReadFirst impliedChoices(Fid dirFid, List<Choice> slots, List<Map<String, Seen>> seen,
                                            Set<Long> inTrees) {
        List<Choice> more = new ArrayList<>();
        for (Choice slot : slots) {
            for (Map<String, Seen> replica : seen) {
                for (ConflictRecord c : replica.get(key(dirFid, slot)).conflicts()) {
                    for (ConflictRecord.Name other : c.names()) {
                        boolean implied = !other.dir().equals(dirFid) || c.kind().equals("RENAME_RENAME");
                        if (implied && !chosen(slots, other) && !chosen(more, other)
                                && !inTrees.contains(other.dir().vnode())) {
                            more.add(new Choice(other.dir(), other.name(), slot.keep()));
                        }
                    }
                }
            }
        }
        return more.isEmpty() ? null : new ReadFirst(more, List.of());
    }

    private static boolean chosen(List<Choice> choices, ConflictRecord.Name name) {
        return choices.stream().anyMatch(c -> c.dir().equals(name.dir()) && c.name().equals(name.name()));
    }

    /** Why conflict {@code c} of {@code what} is not one this repair of {@code slots} may end, or null. */
    private static Refused kindRefusal(List<Choice> slots, Set<Long> inTrees, String what, ConflictRecord c) {
        // an UPDATE_UPDATE: of a file one side also moved (it names names), or of the object bound to a chosen name
        // (checked once the objects are placed): the version kept settles it
        if (!NAME_KINDS.contains(c.kind()) && !c.kind().equals("UPDATE_UPDATE")) {
            return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict ("
                    + c.paths() + "): 'repair dir' settles NAME_NAME, REMOVE_UPDATE, RENAME_RENAME and UPDATE_UPDATE");
        }
        // the repair ends the whole conflict: a name of it left out would stay different on the replicas
        // with no conflict marked any more
        for (ConflictRecord.Name other : c.names()) {
            if (!chosen(slots, other) && !inTrees.contains(other.dir().vnode())) { // a subtree's names go with it
                return new Refused(Status.INVALID_ARGUMENT, what + " is in a " + c.kind() + " conflict that"
                        + " also names '" + other.name() + "' (" + c.paths() + "): choose a replica for every name"
                        + " of it in one repair");
            }
        }
        return null;
    }

    /**
     * The objects of the ended conflicts that no chosen name binds on any replica, read by fid ({@code byFid}): each
     * is installed on every replica with one final version (the version that includes every other, else the first
     * chosen replica's), or removed everywhere if no replica binds it anywhere. A {@link ReadFirst} while one is
     * unread; a refusal if one is a directory or a replica lacks one that another binds; else null, the repair's
     * {@code objects} and {@code dropped} completed.
     */
    private static Decision boundElsewhere(Set<Fid> dirs, List<Integer> keep, List<Map<String, Seen>> seen,
                                           List<Map<Fid, Seen>> byFid, List<Map<Fid, List<VnodeRecord>>> trees,
                                           long now, List<Fid> cleared,
                                           Map<Long, VnodeRecord> objects, List<Fid> dropped) {
        Set<Long> settled = new HashSet<>(objects.keySet());
        dropped.forEach(f -> settled.add(f.vnode()));
        dirs.forEach(d -> settled.add(d.vnode())); // stamped as directories of the repair
        List<Fid> others = new ArrayList<>();
        for (Fid f : new LinkedHashSet<>(cleared)) {
            if (settled.add(f.vnode())) {
                others.add(f);
            }
        }
        List<Fid> unread = others.stream().filter(f -> byFid.stream().anyMatch(m -> !m.containsKey(f))).toList();
        if (!unread.isEmpty()) {
            return new ReadFirst(List.of(), unread);
        }
        for (Fid f : others) {
            List<Integer> holders = new ArrayList<>();
            VnodeRecord chosen = null;
            for (int i = 0; i < byFid.size(); i++) {
                VnodeRecord v = byFid.get(i).get(f).vnode();
                if (v == null || v.unique() != f.unique()) {
                    continue;
                }
                holders.add(i);
                if (v.type() == FileType.DIRECTORY) {
                    return new Refused(Status.INVALID_ARGUMENT, "the conflicts end with directory " + f + " of them,"
                            + " bound elsewhere: 'repair dir' does not settle directories (not yet)");
                }
                if (chosen == null || v.versionVector().includes(chosen.versionVector())) {
                    chosen = v;
                }
            }
            if (holders.isEmpty()) {
                continue; // gone everywhere: already equal
            }
            boolean bound = false;
            for (int i : holders) {
                bound |= byFid.get(i).get(f).vnode().linkCount() > 0;
            }
            if (!bound) {
                dropped.add(f);
                continue;
            }
            if (holders.size() < byFid.size()) {
                return new Refused(Status.INVALID_ARGUMENT, f + ", which the conflicts name, is bound elsewhere on"
                        + " replicas " + holders + " only: 'repair dir' cannot install it without its names");
            }
            for (int i : holders) { // concurrent versions: none includes every other, so the first chosen replica's
                if (!chosen.versionVector().includes(byFid.get(i).get(f).vnode().versionVector())) {
                    chosen = byFid.get(keep.get(0)).get(f).vnode();
                    break;
                }
            }
            objects.put(f.vnode(), stamped(seen, byFid, trees, chosen, now, chosen.linkCount(), chosen.parent(),
                    List.of()));
        }
        return null;
    }

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
    private static int linksAfter(Fid dirFid, Map<String, Seen> keeper, List<Choice> slots, Choice keptAs,
                                  VnodeRecord o) {
        int links = o.linkCount();
        for (Choice other : slots) {
            VnodeRecord bound = other.equals(keptAs) ? null : keeper.get(key(dirFid, other)).vnode();
            if (bound != null && bound.vnode() == o.vnode() && bound.unique() == o.unique()) {
                links--;
            }
        }
        return Math.max(1, links);
    }

    /**
     * {@code o} with its final version: the merge of every replica's vector of it (under any name read, or read by
     * fid) with every slot one higher, a data version one above the highest; {@code links} names.
     */
    static VnodeRecord stamped(List<Map<String, Seen>> seen, List<Map<Fid, Seen>> byFid,
                                       List<Map<Fid, List<VnodeRecord>>> trees, VnodeRecord o, long now, int links,
                                       long parent, List<VolumeSnapshot.EntryRecord> entries) {
        VersionVector vector = o.versionVector();
        long dataVersion = o.dataVersion();
        List<Seen> reads = new ArrayList<>();
        seen.forEach(replica -> reads.addAll(replica.values())); // under any name: a replica may bind it elsewhere
        byFid.forEach(replica -> reads.addAll(replica.values()));
        List<VnodeRecord> versions = new ArrayList<>();
        reads.forEach(read -> versions.add(read.vnode()));
        trees.forEach(replica -> replica.values().forEach(versions::addAll)); // every subtree read, any replica
        for (VnodeRecord v : versions) {
            if (v != null && v.vnode() == o.vnode() && v.unique() == o.unique()) {
                vector = vector.merge(v.versionVector());
                dataVersion = Math.max(dataVersion, v.dataVersion());
            }
        }
        for (int slot = 0; slot < seen.size(); slot++) {
            vector = vector.increment(slot);
        }
        return new VnodeRecord(o.vnode(), o.unique(), o.type(), o.mode(), o.owner(), o.size(), links, o.mtimeMillis(),
                now, dataVersion + 1, vector, o.blobId(), o.blobLength(), o.symlinkTarget(), parent, entries);
    }
}

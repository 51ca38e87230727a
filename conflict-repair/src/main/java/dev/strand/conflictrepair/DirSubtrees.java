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

/**
 * The directories of a {@code strand repair dir} ({@link DirRepairPlanner}): a directory bound to a chosen name is
 * kept, renamed or removed with everything below it, read whole from the replica it is kept from; what may not go
 * (an object with names outside the subtree) is refused with what the user can do.
 */
final class DirSubtrees {

    private DirSubtrees() {}

    /**
     * A directory kept with its subtree: replica {@code replica}'s {@code dir} (read whole, {@link
     * RepairPlanner.Tree}), bound in directory vnode {@code parent}; {@code what} names it in refusals.
     */
    record TreeInstall(int replica, Fid dir, long parent, String name, String what) {}

    /** The directory {@code read} shows bound to a name, or null. */
    static Fid directoryBound(Fid dirFid, Seen read) {
        VnodeRecord v = read.vnode();
        return v == null || v.type() != FileType.DIRECTORY ? null : new Fid(dirFid.volume(), v.vnode(), v.unique());
    }

    /**
     * Completes {@code objects} and {@code dropped} with the subtrees of the directories bound to the chosen names:
     * every object of a kept (or renamed) directory's subtree installed on every replica as the replica it is kept
     * from holds it, with one final version; every object of any replica's subtree there that is not installed
     * removed on every replica. Null, or why not: an object in two places, an object with names outside its subtree,
     * more than {@code maxBytes} to write.
     */
    static Refused subtrees(Fid dirFid, List<Choice> slots, List<Map<String, Seen>> seen,
                                    List<Map<Fid, Seen>> byFid, List<Map<Fid, List<VnodeRecord>>> trees,
                                    List<TreeInstall> installs, Map<Long, VnodeRecord> objects, List<Fid> dropped,
                                    long maxBytes, long now, Set<ConflictRecord> conflicts, boolean renameOthers) {
        long bytes = 0;
        for (TreeInstall t : installs) {
            List<VnodeRecord> images = trees.get(t.replica()).get(t.dir());
            if (images == null || images.isEmpty() || images.get(0).vnode() != t.dir().vnode()) {
                return new Refused(Status.CHANGED, t.what() + " (" + t.dir() + ") was not read whole: run it again");
            }
            Map<Long, Integer> namesInTree = namesIn(images);
            for (VnodeRecord image : images) {
                Refused linked = linkedOutside(t.what(), t.name(), image, namesInTree, conflicts);
                if (linked != null) {
                    return linked;
                }
                if (objects.containsKey(image.vnode())) {
                    return new Refused(Status.INVALID_ARGUMENT, "vnode " + image.vnode() + " of " + t.what()
                            + " is kept in two places by this repair: keep it under one name");
                }
                boolean top = image.vnode() == t.dir().vnode();
                objects.put(image.vnode(), DirRepairPlanner.stamped(seen, byFid, trees, image, now, image.linkCount(),
                        top ? t.parent() : image.parent(), image.entries()));
                bytes += RepairPlanner.imageBytes(image);
            }
        }
        Set<Long> removed = new HashSet<>();
        dropped.forEach(f -> removed.add(f.vnode()));
        for (Choice slot : slots) {
            for (int i = 0; i < seen.size(); i++) {
                Fid tree = directoryBound(dirFid, seen.get(i).get(DirRepairPlanner.key(dirFid, slot)));
                if (tree == null) {
                    continue;
                }
                List<VnodeRecord> images = trees.get(i).get(tree);
                Map<Long, Integer> namesInTree = namesIn(images);
                String what = "replica " + i + "'s directory '" + slot.name() + "' in " + slot.dir();
                for (VnodeRecord image : images) {
                    Refused linked = linkedOutside(what, slot.name(), image, namesInTree, conflicts); // links unknown
                    if (linked != null && (renameOthers || objects.containsKey(image.vnode())
                            || !everyNameGoes(dirFid, slots, seen, trees, image))) {
                        return linked;
                    }
                    if (objects.containsKey(image.vnode()) || !removed.add(image.vnode())) {
                        continue; // kept, or removed already
                    }
                    dropped.add(new Fid(dirFid.volume(), image.vnode(), image.unique()));
                    bytes += RepairPlanner.REMOVAL_BYTES;
                }
            }
        }
        if (bytes > maxBytes) {
            return new Refused(Status.INVALID_ARGUMENT, "the directories this repair keeps and removes with their"
                    + " subtrees take about " + bytes + " bytes, more than one repair writes at once (" + maxBytes
                    + " bytes, half of what one atomic Cassandra write may hold): keep a smaller replica's directory"
                    + " without --rename-others (a removed object costs " + RepairPlanner.REMOVAL_BYTES + " bytes, a"
                    + " kept one its whole record); nothing was changed");
        }
        return null;
    }

    /**
     * How many of {@code o}'s names on replica {@code replica} this repair (without rename-others) unbinds: chosen names
     * bound to it there that end bound to another object or none, and entries binding it in that replica's
     * directories bound to chosen names and not kept. An object whose every name goes is removed everywhere.
     */
    static int namesGoing(Fid dirFid, List<Choice> slots, List<Map<String, Seen>> seen,
                                  List<Map<Fid, List<VnodeRecord>>> trees, int replica, VnodeRecord o) {
        int going = 0;
        for (Choice slot : slots) {
            VnodeRecord bound = seen.get(replica).get(DirRepairPlanner.key(dirFid, slot)).vnode();
            VnodeRecord kept = seen.get(slot.keep()).get(DirRepairPlanner.key(dirFid, slot)).vnode();
            if (bound == null || same(bound, kept)) {
                continue; // this name stays as it is on this replica
            }
            if (same(bound, o)) {
                going++;
            }
            Fid tree = directoryBound(dirFid, seen.get(replica).get(DirRepairPlanner.key(dirFid, slot)));
            List<VnodeRecord> images = tree == null ? null : trees.get(replica).get(tree);
            if (images != null) {
                going += namesIn(images).getOrDefault(o.vnode(), 0);
            }
        }
        return going;
    }

    /** Whether on every replica that showed {@code o}, this repair unbinds every name it has there. */
    static boolean everyNameGoes(Fid dirFid, List<Choice> slots, List<Map<String, Seen>> seen,
                                         List<Map<Fid, List<VnodeRecord>>> trees, VnodeRecord o) {
        for (int r = 0; r < seen.size(); r++) {
            int links = -1; // as replica r showed it (under any name read, or in a subtree read)
            for (Seen read : seen.get(r).values()) {
                links = same(read.vnode(), o) ? Math.max(links, read.vnode().linkCount()) : links;
            }
            for (List<VnodeRecord> images : trees.get(r).values()) {
                for (VnodeRecord image : images) {
                    links = same(image, o) ? Math.max(links, image.linkCount()) : links;
                }
            }
            if (links >= 0 && namesGoing(dirFid, slots, seen, trees, r, o) < links) {
                return false;
            }
        }
        return true;
    }

    static boolean same(VnodeRecord a, VnodeRecord b) {
        return a != null && b != null && a.vnode() == b.vnode() && a.unique() == b.unique();
    }

    /** How many entries of {@code images} (a subtree) bind each object. */
    static Map<Long, Integer> namesIn(List<VnodeRecord> images) {
        Map<Long, Integer> names = new HashMap<>();
        for (VnodeRecord image : images) {
            image.entries().forEach(e -> names.merge(e.vnode(), 1, Integer::sum));
        }
        return names;
    }

    /** Why {@code image} of subtree {@code what} cannot be kept or removed with it (names outside it), or null. */
    static Refused linkedOutside(String what, String name, VnodeRecord image, Map<Long, Integer> namesInTree,
                                         Set<ConflictRecord> conflicts) {
        int inside = namesInTree.getOrDefault(image.vnode(), 0);
        if (image.type() == FileType.DIRECTORY || image.linkCount() <= inside) {
            return null;
        }
        return new Refused(Status.INVALID_ARGUMENT, "vnode " + image.vnode() + " in " + what + " has "
                + image.linkCount() + " names, " + inside + " of them in that directory: 'repair dir' keeps or"
                + " removes a directory with its whole subtree and does not move or remove names outside it; "
                + removeOthersFirst(conflicts, name));
    }

    /**
     * What to run before the repair: {@code strand rm} of each path the conflicts name outside {@code name} (where a
     * hard link made on one side shows), then the repair again.
     */
    static String removeOthersFirst(Set<ConflictRecord> conflicts, String name) {
        Set<String> paths = new java.util.TreeSet<>();
        conflicts.forEach(c -> c.paths().stream().filter(p -> p.startsWith("/")).forEach(paths::add)); // not "?"
        Set<String> own = new HashSet<>(); // the chosen name's paths (and what is below them)
        paths.stream().filter(p -> p.endsWith("/" + name)).forEach(own::add);
        List<String> others = paths.stream().filter(p -> own.stream().noneMatch(o -> p.equals(o)
                || p.startsWith(o + "/"))).map(p -> "'strand rm /VOLUME" + p + "'").toList();
        return "remove its other names first (" + (others.isEmpty() ? "'strand rm' each of them"
                : "the conflicts name " + String.join(", ", others) + "; 'strand repair show' of a path shows each"
                + " replica's object") + "), then run the repair again";
    }
}

package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * FULL COMPARISON, Coda's answer when the resolution logs cannot explain how replicas differ (a log overflowed, a
 * slot leads by more than a log holds, the log plan cannot be performed): the replicas' objects are compared one by
 * one, by their versions, with no log at all. Pure: the coordinator gathers the input.
 *
 * <ul>
 * <li>First {@link #differing}: the vnode numbers whose version (vector, data version, fid) is not the same on every
 * replica, from each replica's {@link VnodeSync.Summary summaries} (an object absent on a replica differs).</li>
 * <li>Then {@link #decide}, on every replica's images of those vnodes: an object whose version on one replica
 * dominates (or equals) every other's is taken from that replica everywhere ({@link PlanStep.Install}). A directory
 * whose versions are concurrent merges its entries: a name bound on some replicas only, or to the same object
 * everywhere it is bound, is kept (the union: nothing any side created is lost); a name bound to different objects
 * is a NAME_NAME conflict, each replica keeping its own binding of it. A file or symlink whose versions are
 * concurrent is an UPDATE_UPDATE conflict: each replica keeps its own version. An object some replicas lack is
 * installed where the result's directories bind it, and dropped ({@link PlanStep.Drop}) where no directory of the
 * result binds it.</li>
 * </ul>
 * Merged directories get a version dominating every replica's (each slot of the merged vector +1), equal
 * everywhere; a directory with a name in conflict keeps each replica's own vector, unequal until repair.
 */
public final class FullComparison {

    private FullComparison() {}

    /** The vnode numbers whose summary is not the same on every replica (absent counts as different), ascending. */
    public static List<Long> differing(List<List<VnodeSync.Summary>> replicas) {
        Map<Long, List<VnodeSync.Summary>> byNumber = new TreeMap<>();
        for (int r = 0; r < replicas.size(); r++) {
            for (VnodeSync.Summary s : replicas.get(r)) {
                byNumber.computeIfAbsent(s.vnode(), n -> new ArrayList<>()).add(s);
            }
        }
        List<Long> differing = new ArrayList<>();
        byNumber.forEach((number, summaries) -> {
            if (summaries.size() != replicas.size() || summaries.stream().distinct().count() > 1) {
                differing.add(number);
            }
        });
        return differing;
    }

    /**
     * The steps each replica performs and the conflicts every replica marks.
     *
     * @param volumeId  the volume (for the fids)
     * @param differing the vnode numbers that differ ({@link #differing})
     * @param images    per replica slot, its images of the differing vnodes it holds (others may come too: the
     *                  directories above them)
     */
    public static ResolutionPlan.Planned decide(long volumeId, List<Long> differing, List<List<VnodeRecord>> images) {
        return decide(volumeId, differing, images, number -> false);
    }

    /**
     * {@link #decide}, with the objects {@code alsoBound} names taken as bound by some directory of the result even if
     * none of the images shows it (a round of {@link ComparisonRounds} sees only some directories: a hard-linked
     * object's other names may be in one it does not see, so it is kept rather than dropped blind).
     */
    static ResolutionPlan.Planned decide(long volumeId, List<Long> differing, List<List<VnodeRecord>> images,
                                         java.util.function.LongPredicate alsoBound) {
        int replicas = images.size();
        List<Map<Long, VnodeRecord>> held = new ArrayList<>();
        for (List<VnodeRecord> list : images) {
            Map<Long, VnodeRecord> byNumber = new HashMap<>();
            list.forEach(v -> byNumber.put(v.vnode(), v));
            held.add(byNumber);
        }
        // what each replica holds of each differing vnode once done (null: nothing decided, it stays as it is)
        List<Map<Long, VnodeRecord>> result = new ArrayList<>();
        List<Map<Long, Integer>> sources = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            result.add(new HashMap<>());
            sources.add(new HashMap<>());
        }
        List<Conflict> conflicts = new ArrayList<>();
        Paths paths = new Paths(held);
        Set<Long> kept = new TreeSet<>(); // objects in conflict, or bound under a name in conflict: left as they are
        for (long number : differing) {
            List<Integer> holders = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                if (held.get(r).containsKey(number)) {
                    holders.add(r);
                }
            }
            if (holders.isEmpty()) {
                continue; // gone from every replica since it was listed (cannot happen while mutations pause)
            }
            VnodeRecord first = held.get(holders.get(0)).get(number);
            Fid fid = new Fid(volumeId, number, first.unique());
            if (holders.stream().anyMatch(r -> held.get(r).get(number).unique() != first.unique()
                    || held.get(r).get(number).type() != first.type())) {
                conflicts.add(conflict(paths, Conflict.Kind.FID_REUSED, List.of(fid), List.of(), holders,
                        "vnode " + number + " is a different object on different replicas"));
                kept.add(number);
                continue;
            }
            Integer dominant = dominant(holders, r -> held.get(r).get(number));
            if (dominant != null) {
                for (int r = 0; r < replicas; r++) {
                    result.get(r).put(number, held.get(dominant).get(number));
                    sources.get(r).put(number, dominant);
                }
            } else if (first.type() == FileType.DIRECTORY) {
                mergeDirectory(volumeId, number, holders, held, result, sources, conflicts, kept, paths);
            } else {
                conflicts.add(conflict(paths, Conflict.Kind.UPDATE_UPDATE, List.of(fid), List.of(), holders,
                        "changed on several replicas, and no version includes the others (found by full comparison)"));
                kept.add(number);
            }
        }
        Set<Long> unbound = unbound(volumeId, differing, result, held, conflicts, kept, paths, alsoBound);
        Map<Integer, List<PlanStep>> steps = new HashMap<>();
        for (int r = 0; r < replicas; r++) {
            List<PlanStep> installs = new ArrayList<>();
            List<PlanStep> drops = new ArrayList<>();
            for (long number : differing) {
                VnodeRecord target = result.get(r).get(number);
                VnodeRecord mine = held.get(r).get(number);
                if (target == null || kept.contains(number)) {
                    continue;
                }
                if (unbound.contains(number)) {
                    if (mine != null) {
                        drops.add(new PlanStep.Drop(new Fid(volumeId, number, mine.unique())));
                    }
                } else if (!target.equals(mine)) {
                    installs.add(new PlanStep.Install(sources.get(r).get(number), target));
                }
            }
            installs.addAll(drops);
            steps.put(r, installs);
        }
        return new ResolutionPlan.Planned(steps, conflicts, List.of());
    }

    /**
     * The decided objects no directory of the result binds (never the root; never one whose parent no replica
     * reported): they go. A directory that would go with names in it (removed on one side, created in on the
     * other) is a REMOVE_UPDATE conflict instead, left as it is with everything under those names.
     */
    private static Set<Long> unbound(long volumeId, List<Long> differing, List<Map<Long, VnodeRecord>> result,
                                     List<Map<Long, VnodeRecord>> held, List<Conflict> conflicts, Set<Long> kept,
                                     Paths paths, java.util.function.LongPredicate alsoBound) {
        Set<List<Long>> bound = boundObjects(new java.util.HashSet<>(differing), result, held);
        Set<Long> unbound = new TreeSet<>();
        for (long number : differing) {
            VnodeRecord target = null;
            List<Integer> holders = new ArrayList<>();
            for (int r = 0; r < held.size(); r++) {
                target = target == null ? result.get(r).get(number) : target;
                if (held.get(r).containsKey(number)) {
                    holders.add(r);
                }
            }
            if (target == null || kept.contains(number) || number == Fid.ROOT_VNODE || alsoBound.test(number)
                    || bound.contains(List.of(number, target.unique())) || !parentKnown(target, result, held)) {
                continue;
            }
            if (target.type() == FileType.DIRECTORY && !target.entries().isEmpty()) {
                conflicts.add(conflict(paths, Conflict.Kind.REMOVE_UPDATE, List.of(new Fid(volumeId, number,
                        target.unique())), List.of(), holders, "a directory no longer named on one replica holds"
                        + " names on another (found by full comparison)"));
                kept.add(number);
                for (Map<Long, VnodeRecord> images : held) {
                    VnodeRecord dir = images.get(number);
                    if (dir != null) {
                        dir.entries().forEach(e -> kept.add(e.vnode()));
                    }
                }
            } else {
                unbound.add(number);
            }
        }
        return unbound;
    }

    /** The holder whose version equals or dominates every other holder's, if there is one. */
    private static Integer dominant(List<Integer> holders, java.util.function.IntFunction<VnodeRecord> image) {
        for (int candidate : holders) {
            VnodeRecord c = image.apply(candidate);
            boolean covers = true;
            for (int other : holders) {
                VnodeRecord o = image.apply(other);
                if (o.equals(c)) {
                    continue;
                }
                VersionOrder order = c.versionVector().compare(o.versionVector());
                if (order != VersionOrder.DOMINATES) {
                    covers = false;
                    break;
                }
            }
            if (covers) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * A directory changed on several sides: the union of its names. A name bound to different objects stays as
     * each replica has it (a NAME_NAME conflict, and the directory keeps each replica's own vector).
     */
    private static void mergeDirectory(long volumeId, long number, List<Integer> holders,
                                       List<Map<Long, VnodeRecord>> held, List<Map<Long, VnodeRecord>> result,
                                       List<Map<Long, Integer>> sources, List<Conflict> conflicts, Set<Long> kept,
                                       Paths paths) {
        Map<String, EntryRecord> union = new TreeMap<>();
        Set<String> clashing = new TreeSet<>();
        VersionVector merged = null;
        long dataVersion = 0;
        long mtime = 0;
        long ctime = 0;
        for (int r : holders) {
            VnodeRecord dir = held.get(r).get(number);
            merged = merged == null ? dir.versionVector() : merged.merge(dir.versionVector());
            dataVersion = Math.max(dataVersion, dir.dataVersion());
            mtime = Math.max(mtime, dir.mtimeMillis());
            ctime = Math.max(ctime, dir.ctimeMillis());
            for (EntryRecord e : dir.entries()) {
                EntryRecord there = union.putIfAbsent(e.name(), e);
                if (there != null && !there.equals(e)) {
                    clashing.add(e.name());
                }
            }
        }
        for (int slot = 0; slot < merged.size(); slot++) {
            merged = merged.increment(slot);
        }
        Fid dirFid = new Fid(volumeId, number, held.get(holders.get(0)).get(number).unique());
        if (!clashing.isEmpty()) {
            List<Fid> objects = new ArrayList<>();
            for (int r : holders) {
                for (EntryRecord e : held.get(r).get(number).entries()) {
                    if (clashing.contains(e.name())) {
                        objects.add(new Fid(volumeId, e.vnode(), e.unique()));
                        kept.add(e.vnode());
                    }
                }
            }
            conflicts.add(conflict(paths, Conflict.Kind.NAME_NAME, List.copyOf(new LinkedHashSet<>(objects)),
                    clashing.stream().map(n -> new Conflict.Name(dirFid, n)).toList(), holders,
                    "names bound to different objects on different replicas (found by full comparison)"));
        }
        for (int r = 0; r < held.size(); r++) {
            VnodeRecord own = held.get(r).get(number);
            if (own == null) {
                continue; // a replica lacking a directory others changed concurrently keeps lacking it
            }
            List<EntryRecord> entries = new ArrayList<>();
            for (EntryRecord e : union.values()) {
                if (!clashing.contains(e.name())) {
                    entries.add(e);
                }
            }
            for (EntryRecord e : own.entries()) {
                if (clashing.contains(e.name())) {
                    entries.add(e);
                }
            }
            entries.sort(java.util.Comparator.comparing(EntryRecord::name));
            boolean equalised = clashing.isEmpty();
            result.get(r).put(number, new VnodeRecord(own.vnode(), own.unique(), own.type(), own.mode(), own.owner(),
                    own.size(), own.linkCount(), mtime, ctime, equalised ? dataVersion + 1 : own.dataVersion(),
                    equalised ? merged : own.versionVector(), own.blobId(), own.blobLength(), own.symlinkTarget(),
                    own.parent(), entries));
            sources.get(r).put(number, r);
        }
    }

    /**
     * Every object of {@code numbers} (vnode, uniquifier) some directory of the result binds (or, where nothing was decided, a directory
     * as a replica holds it): one pass over the entries, not one per object (a directory of 100,000 names).
     */
    private static Set<List<Long>> boundObjects(Set<Long> numbers, List<Map<Long, VnodeRecord>> result,
                                                List<Map<Long, VnodeRecord>> held) {
        Set<List<Long>> bound = new java.util.HashSet<>();
        for (int r = 0; r < held.size(); r++) {
            Map<Long, VnodeRecord> dirs = new HashMap<>(held.get(r));
            dirs.putAll(result.get(r));
            for (VnodeRecord dir : dirs.values()) {
                for (EntryRecord e : dir.entries()) {
                    if (numbers.contains(e.vnode())) {
                        bound.add(List.of(e.vnode(), e.unique()));
                    }
                }
            }
        }
        return bound;
    }

    /** Whether some replica's image of the object's parent is known: without one, it is kept (never dropped blind). */
    private static boolean parentKnown(VnodeRecord object, List<Map<Long, VnodeRecord>> result,
                                       List<Map<Long, VnodeRecord>> held) {
        for (int r = 0; r < held.size(); r++) {
            if (held.get(r).containsKey(object.parent()) || result.get(r).containsKey(object.parent())) {
                return true;
            }
        }
        return false;
    }

    private static Conflict conflict(Paths paths, Conflict.Kind kind, List<Fid> objects,
                                     List<Conflict.Name> names, List<Integer> replicas, String reason) {
        List<String> hints = new ArrayList<>();
        objects.forEach(o -> hints.add(paths.getOrDefault(o.vnode(), "?")));
        names.forEach(n -> hints.add(paths.getOrDefault(n.dir().vnode(), "?") + "/" + n.name()));
        return new Conflict(kind, objects, names, hints, Set.copyOf(replicas), List.of(), reason);
    }

    /**
     * vnode -> a path hint, from the directories the replicas reported ("?" where the way up is not known). Built
     * on the first conflict only, and each hint when asked: a round under a directory of a million names makes none.
     */
    private static final class Paths {
        private final List<Map<Long, VnodeRecord>> held;
        private Map<Long, Long> up;
        private Map<Long, String> nameOf;

        Paths(List<Map<Long, VnodeRecord>> held) {
            this.held = held;
        }

        String getOrDefault(long vnode, String otherwise) {
            if (vnode == Fid.ROOT_VNODE) {
                return "";
            }
            if (up == null) {
                up = new HashMap<>();
                nameOf = new HashMap<>();
                held.forEach(m -> m.values().forEach(dir -> dir.entries().forEach(e -> {
                    if (up.putIfAbsent(e.vnode(), dir.vnode()) == null) {
                        nameOf.put(e.vnode(), e.name());
                    }
                })));
            }
            if (!up.containsKey(vnode)) {
                return otherwise;
            }
            StringBuilder path = new StringBuilder();
            long v = vnode;
            for (int depth = 0; v != Fid.ROOT_VNODE && up.containsKey(v) && depth < 4096; depth++) {
                path.insert(0, "/" + nameOf.get(v));
                v = up.get(v);
            }
            return v == Fid.ROOT_VNODE ? path.toString() : "?" + path;
        }
    }
}

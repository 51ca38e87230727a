package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A FULL COMPARISON in ROUNDS, for when more objects differ than one comparison reads: the differing vnodes are
 * walked in number order, at most a round's worth at a time, and each round decides what it can with {@link
 * FullComparison#decide} and is performed before the next is listed. Pure: the coordinator lists, reads and performs.
 *
 * <p>An object's fate depends on the final state of the directories naming it (an object one replica lacks is
 * installed where a directory of the result binds it, dropped where none does) and on conflicts found elsewhere (an
 * object under a name in conflict is left as it is). So a round decides an object only once each directory that is its
 * parent on some replica is FINAL: not differing, or decided by an earlier round (the replicas hold its result now) or
 * by this one. A parent above the round's last number (not listed yet: an old object moved into a newer directory) or
 * still deferred leaves the object DEFERRED, carried to the next round and read again there; the last round (the
 * listing is finished, every parent is final) decides everything left. An object whose parent is left in conflict is
 * left as it is too (KEPT), and so is every object a round's conflicts name (a REMOVE_UPDATE directory: its entries
 * too). The parents of the objects a round decides are read a second time (their images, as the replicas hold them
 * now) unless the round's own images hold them. An object with several names (a hard link) whose known parents do not
 * bind it is kept, never dropped: its other names may be in directories the round does not see.
 *
 * <p>What rounds carry is bounded: the deferred and kept numbers together at most one round's worth ({@link
 * #fits}); past it the comparison fails (nothing of that round is performed) rather than hold more.
 */
public final class ComparisonRounds {

    private ComparisonRounds() {}

    /**
     * What one round hands the next: {@code position}, the highest vnode number listed so far (the next round lists
     * above it); {@code deferred}, the numbers not decided yet; {@code kept}, the numbers left as they are (in
     * conflict, or under something in conflict).
     */
    public record Carried(long position, Set<Long> deferred, Set<Long> kept) {
        public Carried {
            deferred = Set.copyOf(deferred);
            kept = Set.copyOf(kept);
        }

        /** Before the first round: nothing listed, nothing carried. */
        public static Carried start() {
            return new Carried(0, Set.of(), Set.of());
        }

        /** How many numbers are carried. */
        public int size() {
            return deferred.size() + kept.size();
        }
    }

    /** Whether what is carried leaves room for a round of {@code limit} numbers: at least one new number. */
    public static boolean fits(Carried carried, int limit) {
        return carried.size() < limit;
    }

    /** The numbers a round reads: the ones it listed ({@code listed}, ascending) and the deferred ones. */
    public static List<Long> candidates(List<Long> listed, Carried carried) {
        Set<Long> all = new TreeSet<>(listed);
        all.addAll(carried.deferred());
        return List.copyOf(all);
    }

    /**
     * Which {@code candidates} a round decides: {@code decided}; {@code parents}, the parents of those it decides whose
     * images it must read (no replica's round images hold them); and what it carries on, before its conflicts.
     */
    public record Split(List<Long> decided, Set<Long> parents, Set<Long> deferred, Set<Long> kept) {}

    /**
     * @param upTo     the highest number listed so far (every differing number up to it is a candidate, decided
     *                 before, or kept)
     * @param last     the listing is finished: every parent is final, so everything not kept is decided
     * @param images   per replica, its images of the candidates (and of the directories above them)
     */
    public static Split split(List<Long> candidates, long upTo, boolean last, Carried carried,
                              List<List<VnodeRecord>> images) {
        Map<Long, List<VnodeRecord>> byNumber = byNumber(images);
        Set<Long> open = new TreeSet<>(candidates);
        Set<Long> decided = new TreeSet<>();
        Set<Long> kept = new TreeSet<>(carried.kept());
        boolean moved = true;
        while (moved) { // a parent decided in this round makes its children decidable: until nothing moves
            moved = false;
            for (Long number : List.copyOf(open)) {
                Set<Long> parents = parents(number, byNumber.getOrDefault(number, List.of()));
                if (kept.contains(number) || parents.stream().anyMatch(kept::contains)) {
                    kept.add(number); // in conflict, or under a directory left as it is: left as it is too
                } else if (last || parents.stream().allMatch(p -> decided.contains(p)
                        || (!open.contains(p) && p <= upTo))) {
                    decided.add(number);
                } else {
                    continue;
                }
                open.remove(number);
                moved = true;
            }
        }
        Set<Long> parents = new TreeSet<>();
        for (Long number : decided) {
            for (Long p : parents(number, byNumber.getOrDefault(number, List.of()))) {
                if (!byNumber.containsKey(p)) {
                    parents.add(p);
                }
            }
        }
        return new Split(List.copyOf(decided), parents, open, kept);
    }

    /**
     * The round's plan: {@link FullComparison#decide} of the split's decided numbers, on the round's images and its
     * parents' ({@code parentImages}, per replica); and what it carries to the next round above {@code upTo}.
     */
    public record Round(ResolutionPlan.Planned plan, Carried carried) {}

    public static Round decide(long volumeId, Split split, long upTo, List<List<VnodeRecord>> images,
                               List<List<VnodeRecord>> parentImages) {
        List<List<VnodeRecord>> all = new ArrayList<>();
        for (int r = 0; r < images.size(); r++) {
            List<VnodeRecord> mine = new ArrayList<>(images.get(r));
            Set<Long> there = new TreeSet<>(mine.stream().map(VnodeRecord::vnode).toList());
            parentImages.get(r).stream().filter(v -> there.add(v.vnode())).forEach(mine::add);
            all.add(mine);
        }
        Map<Long, List<VnodeRecord>> byNumber = byNumber(all);
        int replicas = images.size();
        Set<Long> multiLinked = new TreeSet<>();
        for (Long number : split.decided()) {
            List<VnodeRecord> held = byNumber.getOrDefault(number, List.of());
            if (held.size() < replicas && held.stream().anyMatch(v -> v.type() != FileType.DIRECTORY
                    && v.linkCount() > 1)) {
                multiLinked.add(number);
            }
        }
        ResolutionPlan.Planned plan = FullComparison.decide(volumeId, split.decided(), all, multiLinked::contains);
        Set<Long> kept = new TreeSet<>(split.kept());
        for (Conflict c : plan.conflicts()) {
            for (Fid f : c.objects()) {
                kept.add(f.vnode());
                if (c.kind() == Conflict.Kind.REMOVE_UPDATE) { // left as it is with everything it holds
                    byNumber.getOrDefault(f.vnode(), List.of()).forEach(dir -> dir.entries()
                            .forEach(e -> kept.add(e.vnode())));
                }
            }
        }
        Set<Long> deferred = new TreeSet<>(split.deferred());
        deferred.removeAll(kept);
        return new Round(plan, new Carried(upTo, deferred, kept));
    }

    /** Each directory that is {@code number}'s parent on some replica holding it (none for the root). */
    private static Set<Long> parents(long number, List<VnodeRecord> held) {
        Set<Long> parents = new TreeSet<>();
        if (number == Fid.ROOT_VNODE) {
            return parents;
        }
        for (VnodeRecord v : held) {
            if (v.parent() != number && v.parent() > 0) {
                parents.add(v.parent());
            }
        }
        return parents;
    }

    private static Map<Long, List<VnodeRecord>> byNumber(List<List<VnodeRecord>> images) {
        Map<Long, List<VnodeRecord>> byNumber = new HashMap<>();
        for (List<VnodeRecord> replica : images) {
            for (VnodeRecord v : replica) {
                byNumber.computeIfAbsent(v.vnode(), n -> new ArrayList<>()).add(v);
            }
        }
        return byNumber;
    }
}

package dev.strand.conflictrepair;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Symlink;
import dev.strand.replication.VersionVector;
import dev.strand.volume.DirectoryEntry;
import dev.strand.volume.Vnode;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Partitioned replicas that each side changed at random, then resolution: every replica ends with the same tree
 * outside what is reported in conflict, nothing that did not conflict is lost, and changes that cannot conflict
 * merge into what running both sides one after the other gives.
 */
class ResolutionPropertiesTest {

    /** One random operation, read against the state of the side that runs it (indices wrap around). */
    record Action(int kind, int object, int dir, int name) {}

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Action> action = Combinators.combine(Arbitraries.integers().between(0, 8),
                Arbitraries.integers().between(0, 50), Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 2)).as(Action::new);
        return action.list().ofMaxSize(12);
    }

    @Property(tries = 300)
    void changesThatCannotConflictAllMergeAsIfRunOneAfterTheOther(
            @ForAll @IntRange(min = 2, max = 3) int replicas, @ForAll @IntRange(min = 1, max = 2) int split,
            @ForAll("actions") List<Action> before, @ForAll("actions") List<Action> onA,
            @ForAll("actions") List<Action> onB) {
        int k = Math.min(split, replicas - 1);
        Run run = new Run(replicas, k, true);
        run.shared(before);
        run.sides(onA, onB);
        ResolutionPlan.Planned plan = run.resolve();

        collectStatistics(plan);
        assertThat(plan.conflicts()).isEmpty();
        Map<String, String> expected = run.serially();
        for (int r = 0; r < replicas; r++) {
            assertThat(run.group.tree(r, List.of())).as("replica %d", r).isEqualTo(expected);
        }
        run.assertStampsEqualAndDominant(plan);
    }

    @Property(tries = 300)
    void anyChangesConvergeOutsideTheReportedConflictsAndLoseNothingElse(
            @ForAll @IntRange(min = 2, max = 3) int replicas, @ForAll @IntRange(min = 1, max = 2) int split,
            @ForAll("actions") List<Action> before, @ForAll("actions") List<Action> onA,
            @ForAll("actions") List<Action> onB) {
        int k = Math.min(split, replicas - 1);
        Run run = new Run(replicas, k, false);
        run.shared(before);
        run.sides(onA, onB);
        ResolutionPlan.Planned plan = run.resolve();

        collectStatistics(plan);
        for (int r = 1; r < replicas; r++) {
            assertThat(run.group.tree(r, plan.conflicts())).as("replica %d", r)
                    .isEqualTo(run.group.tree(0, plan.conflicts()));
        }
        for (Conflict c : plan.conflicts()) {
            assertThat(c.kind()).isNotEqualTo(Conflict.Kind.FID_REUSED); // each side allocates its own fids
            boolean bothSides = c.replicas().stream().anyMatch(r -> r < k) && c.replicas().stream().anyMatch(r -> r >= k);
            assertThat(bothSides).as("a conflict needs operations of both sides: %s", c).isTrue();
        }
        run.assertEffectsOfMergedOperations(plan);
        run.assertStampsEqualAndDominant(plan);
    }

    @Property(tries = 200)
    void fidsHandedOutOnBothSidesAreReportedAndEverythingElseStillConverges(
            @ForAll @IntRange(min = 2, max = 3) int replicas, @ForAll("actions") List<Action> before,
            @ForAll("actions") List<Action> onA, @ForAll("actions") List<Action> onB) {
        Run run = new Run(replicas, 1, false);
        run.safeFids = false; // today's allocation: each side hands out the next fid of the same counters
        run.shared(before);
        run.sides(onA, onB);
        ResolutionPlan.Planned plan = run.resolve();

        collectStatistics(plan);
        for (int r = 1; r < replicas; r++) {
            assertThat(run.group.tree(r, plan.conflicts())).as("replica %d", r)
                    .isEqualTo(run.group.tree(0, plan.conflicts()));
        }
        run.assertStampsEqualAndDominant(plan);
    }

    /** How much each run merged and what it reported, so that a run of the property shows it is not vacuous. */
    private static void collectStatistics(ResolutionPlan.Planned plan) {
        long replays = plan.steps().values().stream().flatMap(List::stream).filter(s -> s instanceof PlanStep.Replay).count();
        long takes = plan.steps().values().stream().flatMap(List::stream).filter(s -> s instanceof PlanStep.TakeData).count();
        Statistics.label("replayed").collect(replays == 0 ? "0" : replays < 5 ? "1-4" : "5+");
        Statistics.label("data taken").collect(takes == 0 ? "0" : "1+");
        plan.conflicts().forEach(c -> Statistics.label("conflict kinds").collect(c.kind()));
    }

    /** One partitioned group: replicas [0, k) are side A, [k, n) side B. */
    static final class Run {
        final Group group;
        final int[] all;
        final int[] sideA;
        final int[] sideB;
        final boolean disjoint;
        boolean safeFids = true;
        final List<Request> sharedDone = new ArrayList<>();
        final List<Request> aDone = new ArrayList<>();
        final List<Request> bDone = new ArrayList<>();
        Map<Long, Map<Integer, VersionVector>> vectorsBefore;
        Map<Integer, Map<Long, dev.strand.volume.VolumeSnapshot.VnodeRecord>> imagesBefore;

        Run(int replicas, int k, boolean disjoint) {
            group = new Group(replicas);
            all = Group.all(replicas);
            sideA = java.util.stream.IntStream.range(0, k).toArray();
            sideB = java.util.stream.IntStream.range(k, replicas).toArray();
            this.disjoint = disjoint;
        }

        void shared(List<Action> actions) {
            for (int i = 0; i < actions.size(); i++) {
                perform(all, actions.get(i), "s", i, sharedDone);
            }
        }

        void sides(List<Action> onA, List<Action> onB) {
            group.recording = true;
            if (safeFids) {
                group.allocateFrom(sideB, 1_000);
            }
            for (int i = 0; i < Math.max(onA.size(), onB.size()); i++) {
                if (i < onA.size()) {
                    perform(sideA, onA.get(i), "a", 100 + i, aDone);
                }
                if (i < onB.size()) {
                    perform(sideB, onB.get(i), "b", 200 + i, bDone);
                }
            }
        }

        ResolutionPlan.Planned resolve() {
            vectorsBefore = new java.util.TreeMap<>();
            imagesBefore = new java.util.TreeMap<>();
            for (int r = 0; r < group.size; r++) {
                int replica = r;
                Map<Long, dev.strand.volume.VolumeSnapshot.VnodeRecord> mine = new java.util.HashMap<>();
                group.replicas[r].volume.toSnapshot().vnodes().forEach(v -> {
                    vectorsBefore.computeIfAbsent(v.vnode(), n -> new java.util.TreeMap<>()).put(replica, v.versionVector());
                    mine.put(v.vnode(), v);
                });
                imagesBefore.put(r, mine);
            }
            ResolutionPlan plan = group.plan();
            assertThat(plan).isInstanceOf(ResolutionPlan.Planned.class);
            group.apply((ResolutionPlan.Planned) plan);
            return (ResolutionPlan.Planned) plan;
        }

        /** The tree one replica gets from the shared history, then side A's changes, then side B's. */
        Map<String, String> serially() {
            Group serial = new Group(1);
            int[] one = {0};
            sharedDone.forEach(r -> run(serial, one, r));
            aDone.forEach(r -> run(serial, one, r));
            serial.allocateFrom(one, 1_000);
            bDone.forEach(r -> run(serial, one, r));
            return serial.tree(0, List.of());
        }

        private static void run(Group g, int[] side, Request r) {
            if (r instanceof StoreRequest s) {
                g.store(side, s.fid(), s.blob(), s.length());
            } else {
                g.run(side, r);
            }
        }

        void assertStampsEqualAndDominant(ResolutionPlan.Planned plan) {
            for (Fid fid : plan.stamped()) {
                VersionVector first = group.replicas[0].volume.vnode(fid.vnode()).version().versionVector();
                for (int r = 0; r < group.size; r++) {
                    Vnode v = group.replicas[r].volume.vnode(fid.vnode());
                    assertThat(v.version().versionVector()).isEqualTo(first);
                }
                vectorsBefore.getOrDefault(fid.vnode(), Map.of()).values()
                        .forEach(old -> assertThat(first.includes(old)).as("%s over %s", first, old).isTrue());
            }
        }

        /** Creations, removals and data changes that took part in no conflict show on every replica. */
        void assertEffectsOfMergedOperations(ResolutionPlan.Planned plan) {
            Set<Long> held = new HashSet<>();
            Set<Long> inConflict = new HashSet<>();
            plan.conflicts().forEach(c -> {
                held.addAll(c.opIds());
                c.objects().forEach(f -> inConflict.add(f.vnode()));
            });
            for (int holder = 0; holder < group.size; holder++) {
                for (LogEntry entry : group.logs.get(holder)) {
                    if (held.contains(entry.opId())) {
                        continue;
                    }
                    VolumeEvent e = entry.event();
                    if (e instanceof VolumeEvent.EntryRemoved x && x.lastLink()) {
                        everywhere(v -> v.vnode(x.removed().vnode()) == null
                                || v.vnode(x.removed().vnode()).unique() != x.removed().unique(), "gone: " + e);
                    } else if (e instanceof VolumeEvent.ContentStored x && !inConflict.contains(x.fid().vnode())) {
                        long n = x.fid().vnode();
                        var source = imagesBefore.get(holder).get(n);
                        if (source != null && lastDataOpHeldBy(holder, n)) {
                            everywhere(v -> v.vnode(n) == null || java.util.Objects.equals(v.vnode(n).blobId(),
                                    source.blobId()), "stored: " + e);
                        }
                    } else if (e instanceof VolumeEvent.FileCreated x && group.replicas[holder].volume
                            .vnode(x.file().vnode()) != null && !inConflict.contains(x.file().vnode())) {
                        everywhere(v -> v.vnode(x.file().vnode()) != null, "created: " + e);
                    }
                }
            }
        }

        /** True if {@code holder} performed every logged data change of vnode {@code n} (its copy has them all). */
        private boolean lastDataOpHeldBy(int holder, long n) {
            Set<Long> mine = new HashSet<>();
            Set<Long> any = new HashSet<>();
            for (int r = 0; r < group.size; r++) {
                for (LogEntry entry : group.logs.get(r)) {
                    if (OpEffects.of(entry.event()).dataChanges().contains(n)) {
                        any.add(entry.opId());
                        if (r == holder) {
                            mine.add(entry.opId());
                        }
                    }
                }
            }
            return mine.equals(any);
        }

        private void everywhere(Predicate<Volume> check, String what) {
            for (int r = 0; r < group.size; r++) {
                assertThat(check.test(group.replicas[r].volume)).as("replica %d: %s", r, what).isTrue();
            }
        }

        // ---- reading an action against the side's state ---------------------------------------------

        private void perform(int[] side, Action a, String prefix, int seq, List<Request> done) {
            Volume v = group.replicas[side[0]].volume;
            List<Fid> dirs = new ArrayList<>();
            List<Object[]> entries = new ArrayList<>(); // {dir fid, name, entry}
            collect(v, v.root(), dirs, entries);
            boolean own = disjoint && !prefix.equals("s");
            String name = (own ? prefix : disjoint ? "s" : "") + "n" + a.name();
            List<Fid> targets = dirs;
            List<Object[]> mine = entries;
            if (own) { // a side changes only what it named, but may create in any directory
                mine = entries.stream().filter(e -> ((String) e[1]).startsWith(prefix)
                        || (prefix.equals("a") && ((String) e[1]).startsWith("s"))).toList();
                if (prefix.equals("b")) {
                    targets = dirs; // B's renames only move its own objects
                }
            }
            Fid dir = targets.get(a.dir() % targets.size());
            Object[] entry = mine.isEmpty() ? null : mine.get(a.object() % mine.size());
            Request request = switch (a.kind()) {
                case 0 -> new Create(dir, name, 0644, true);
                case 1 -> new MkDir(dir, name, 0755);
                case 2 -> new Symlink(dir, name, "t" + seq);
                default -> entry == null ? null : onEntry(a.kind(), v, (Fid) entry[0], (String) entry[1],
                        (DirectoryEntry) entry[2], dir, name, prefix, seq);
            };
            if (request == null || (own && prefix.equals("a") && (removesShared(request, entry)
                    || (request instanceof Rename rn && v.resolve(rn.toDir()).entry(rn.toName()) != null)))) {
                return;
            }
            if (request instanceof StoreRequest s) {
                group.store(side, s.fid(), s.blob(), s.length());
                done.add(request);
            } else if (group.tryRun(side, request)) {
                done.add(request);
            }
        }

        /** In the disjoint runs, A may rename and change shared objects but not remove or link them. */
        private static boolean removesShared(Request r, Object[] entry) {
            boolean shared = entry != null && ((String) entry[1]).startsWith("s");
            return shared && (r instanceof Remove || r instanceof RmDir || r instanceof Link
                    || (r instanceof Rename rn && !rn.toName().startsWith("s")));
        }

        private Request onEntry(int kind, Volume v, Fid parent, String name, DirectoryEntry e, Fid dir,
                                String newName, String prefix, int seq) {
            Fid fid = e.fid(v.volumeId());
            String keepName = prefix.equals("a") && name.startsWith("s") && disjoint ? name : newName;
            return switch (kind) {
                case 3 -> new Remove(parent, name);
                case 4 -> new RmDir(parent, name);
                case 5 -> new Rename(parent, name, dir, keepName);
                case 6 -> e.type() == dev.strand.protocol.message.FileType.FILE
                        ? new StoreRequest(fid, new UUID(seq, fid.vnode()), seq) : null;
                case 7 -> new SetAttr(fid, 0600 + seq % 64, null, null);
                default -> new Link(dir, newName, fid);
            };
        }

        private static void collect(Volume v, Vnode dir, List<Fid> dirs, List<Object[]> entries) {
            dirs.add(v.fid(dir));
            for (var e : dir.entries().entrySet()) {
                entries.add(new Object[] {v.fid(dir), e.getKey(), e.getValue()});
                Vnode child = v.vnode(e.getValue());
                if (child.isDirectory()) {
                    collect(v, child, dirs, entries);
                }
            }
        }
    }

    /** A STORE's commit, as a request for the serial run. */
    record StoreRequest(Fid fid, UUID blob, long length) implements Request {}
}

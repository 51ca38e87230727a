package dev.strand.conflictrepair;

import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Symlink;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.DirectoryEntry;
import dev.strand.volume.ModelVolume;
import dev.strand.volume.Vnode;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several rounds of: the replicas split into two sides at random, each side changes the volume at random, the sides
 * heal, resolution merges, and every conflict it reports is repaired as {@code strand repair} would (a file: one
 * replica's version, sometimes with new contents stored over it; a directory: one replica per name in conflict, the
 * others removed or kept under another name), through the server's own decisions ({@link RepairPlanner}, {@link
 * StepApplier}). Afterwards every replica is identical (tree, attributes, contents, every version vector), no conflict
 * is left, every change that took part in no conflict is there, and each repair choice's version is every replica's.
 */
class ResolutionAndRepairPropertiesTest {

    /** Large enough that a directory's entries are never cut in a repair's reads. */
    private static final int ENTRY_BYTES = 1 << 20;

    /** One random operation, read against the state of the side that runs it (indices wrap around). */
    record Action(int kind, int object, int dir, int name) {}

    /**
     * One round: {@code split} picks side A's replicas (bit r: replica r; wrapped so that both sides hold one),
     * the actions of each side, and the numbers the repairs' choices are read from.
     */
    record Round(int split, List<Action> onA, List<Action> onB, List<Integer> choices) {}

    /**
     * The kinds (see {@link Run#perform}) weighted towards files: names bound to directories and a directory's
     * attributes in conflict are refused by every repair command today, and would end most runs after one round.
     */
    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> kind = Arbitraries.frequency(Tuple.of(4, 0), Tuple.of(1, 1), Tuple.of(1, 2),
                Tuple.of(2, 3), Tuple.of(1, 4), Tuple.of(2, 5), Tuple.of(3, 6), Tuple.of(2, 7), Tuple.of(1, 8));
        Arbitrary<Action> action = Combinators.combine(kind,
                Arbitraries.integers().between(0, 50), Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 2)).as(Action::new);
        return action.list().ofMaxSize(8);
    }

    /** Creations and data changes only: conflicts over one file's versions, which 'repair file' settles. */
    @Provide
    Arbitrary<List<Action>> dataActions() {
        Arbitrary<Integer> kind = Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(3, 6), Tuple.of(2, 7));
        Arbitrary<Action> action = Combinators.combine(kind, Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 50), Arbitraries.integers().between(0, 2)).as(Action::new);
        return action.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<Round>> rounds() {
        return rounds(actions());
    }

    @Provide
    Arbitrary<List<Round>> dataRounds() {
        return rounds(dataActions());
    }

    private static Arbitrary<List<Round>> rounds(Arbitrary<List<Action>> actions) {
        Arbitrary<Round> round = Combinators.combine(Arbitraries.integers().between(0, 5), actions, actions,
                Arbitraries.integers().between(0, 1000).list().ofMinSize(1).ofMaxSize(8)).as(Round::new);
        return round.list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 250)
    void partitionsResolvedAndRepairedLeaveIdenticalReplicasAndLoseNoUpdateThatDidNotConflict(
            @ForAll @IntRange(min = 2, max = 3) int replicas, @ForAll("actions") List<Action> before,
            @ForAll("rounds") List<Round> rounds) {
        check(replicas, before, rounds);
    }

    @Property(tries = 100)
    void filesChangedOnBothSidesAreRepairedToTheChosenVersionEverywhere(
            @ForAll @IntRange(min = 2, max = 3) int replicas, @ForAll("actions") List<Action> before,
            @ForAll("dataRounds") List<Round> rounds) {
        check(replicas, before, rounds);
    }

    private static void check(int replicas, List<Action> before, List<Round> rounds) {
        Run run = new Run(replicas);
        for (int i = 0; i < before.size(); i++) {
            run.perform(run.all, before.get(i), i);
        }
        int done = 0;
        for (int n = 0; n < rounds.size(); n++) {
            boolean repairedAll = run.round(n, rounds.get(n));
            done++;
            if (!repairedAll) { // a conflict today's 'strand repair' cannot settle: the group stays so
                break;
            }
        }
        Statistics.label("rounds").collect(done);
        Statistics.label("repairs").collect(run.fileRepairs == 0 && run.dirRepairs == 0 ? "none"
                : run.fileRepairs > 0 && run.dirRepairs > 0 ? "file and dir" : run.fileRepairs > 0 ? "file" : "dir");
        Statistics.label("repair file --from").collect(run.storedOver > 0);
        Statistics.label("left unrepairable").collect(run.unrepairable);
        run.conflictKinds.forEach(k -> Statistics.label("conflict kinds").collect(k));
        Statistics.label("updates checked present").collect(run.updatesChecked == 0 ? "0"
                : run.updatesChecked < 10 ? "1-9" : "10+");
        if (run.unrepairable == null) {
            run.assertIdentical();
        } else {
            run.assertIdenticalOutsideConflicts();
        }
    }

    /** A group of model replicas driven through the rounds. */
    static final class Run {
        final Group group;
        final int[] all;
        int fileRepairs;
        int storedOver;
        int dirRepairs;
        String unrepairable;
        final List<Conflict.Kind> conflictKinds = new ArrayList<>();
        int updatesChecked;

        Run(int replicas) {
            group = new Group(replicas);
            all = Group.all(replicas);
        }

        /** One round; false if a conflict is left that no repair command settles. */
        boolean round(int n, Round round) {
            Diverged diverged = diverge(n, round);
            ResolutionPlan.Planned plan = resolve();
            Repaired repaired = repairAll(round.choices());
            if (unrepairable != null) {
                return false;
            }
            assertNoUpdateLost(plan, repaired, diverged);
            assertIdentical();
            return true;
        }

        /** Each side's last state and operations before the sides heal. */
        record Diverged(List<LogEntry> logA, Map<Long, VnodeRecord> imageA, List<LogEntry> logB,
                        Map<Long, VnodeRecord> imageB) {}

        /** The replicas split as {@code round} says and each side performs its actions. */
        Diverged diverge(int n, Round round) {
            int replicas = group.size;
            int mask = 1 + round.split() % ((1 << replicas) - 2); // 1 .. 2^n - 2: both sides hold a replica
            int[] sideA = IntStream.range(0, replicas).filter(r -> (mask & (1 << r)) != 0).toArray();
            int[] sideB = IntStream.range(0, replicas).filter(r -> (mask & (1 << r)) == 0).toArray();
            group.logs.forEach(List::clear);
            group.recording = true;
            group.allocateFrom(sideB, 1_000L * (n + 1)); // the sides hand out disjoint fids
            for (int i = 0; i < Math.max(round.onA().size(), round.onB().size()); i++) {
                if (i < round.onA().size()) {
                    perform(sideA, round.onA().get(i), 100 * n + i);
                }
                if (i < round.onB().size()) {
                    perform(sideB, round.onB().get(i), 100 * n + 50 + i);
                }
            }
            group.recording = false;
            return new Diverged(List.copyOf(group.logs.get(sideA[0])), records(group.replicas[sideA[0]].volume),
                    List.copyOf(group.logs.get(sideB[0])), records(group.replicas[sideB[0]].volume));
        }

        // ---- resolution, as Resolutions and ResolutionCommands perform it ------------------------------

        ResolutionPlan.Planned resolve() {
            ResolutionPlan plan = group.plan();
            assertThat(plan).as("the logs explain every difference").isInstanceOf(ResolutionPlan.Planned.class);
            ResolutionPlan.Planned planned = (ResolutionPlan.Planned) plan;
            VersionVector merged = null;
            long nextVnode = 0;
            long nextUnique = 0;
            for (ModelVolume m : group.replicas) {
                merged = merged == null ? m.volume.versionVector() : merged.merge(m.volume.versionVector());
                nextVnode = Math.max(nextVnode, m.volume.nextVnodeNumber());
                nextUnique = Math.max(nextUnique, m.volume.nextUniquifier());
            }
            group.apply(planned);
            List<ConflictRecord> marked = planned.conflicts().stream().map(Run::record).toList();
            for (int r = 0; r < group.size; r++) {
                if (!marked.isEmpty()) {
                    group.replicas[r].apply(new VolumeEvent.ConflictsMarked(marked));
                }
                group.replicas[r].apply(new VolumeEvent.CaughtUp(r, merged, nextVnode, nextUnique));
            }
            planned.conflicts().forEach(c -> conflictKinds.add(c.kind()));

            return planned;
        }

        /** A conflict as the replicas mark it (as the coordinator's Resolutions.record makes it). */
        private static ConflictRecord record(Conflict c) {
            return new ConflictRecord(c.kind().name(), c.objects(), c.names().stream()
                    .map(n -> new ConflictRecord.Name(n.dir(), n.name())).toList(), c.paths(),
                    List.copyOf(c.replicas()), c.reason());
        }

        // ---- repair, as Repairs and RepairCommands perform it -------------------------------------------

        /** What the repairs of a round chose, so that the lost-update check leaves it to them. */
        static final class Repaired {
            final Set<Long> objects = new HashSet<>();
            final Set<Conflict.Name> names = new HashSet<>();
        }

        private Repaired repairAll(List<Integer> choices) {
            Repaired repaired = new Repaired();
            int next = 0;
            for (int guard = 0; guard < 100; guard++) {
                List<ConflictRecord> left = conflicts();
                if (left.isEmpty()) {
                    return repaired;
                }
                ConflictRecord c = left.get(0);
                int choice = choices.get(next++ % choices.size());
                String refused = c.names().isEmpty() ? repairFile(c, choice, repaired)
                        : repairDir(c, choices, next, repaired);
                next += 3;
                if (refused != null) { // today's 'strand repair' cannot settle it: the conflict stays
                    unrepairable = c.kind() + ": " + refused.replaceAll("'[^']*'", "N")
                            .replaceAll("\\(.*\\)", "").replaceAll("[0-9.]+[0-9]", "#");
                    return repaired;
                }
                assertThat(conflicts()).as("a repair ends its conflict").doesNotContain(c);
            }
            throw new AssertionError("repairs do not end: " + conflicts());
        }

        /** Every replica's conflicts, each once. */
        private List<ConflictRecord> conflicts() {
            Set<ConflictRecord> all = new LinkedHashSet<>();
            for (ModelVolume m : group.replicas) {
                all.addAll(m.volume.conflicts().records());
            }
            return List.copyOf(all);
        }

        /**
         * {@code strand repair file --keep K} (and with an odd choice {@code --from}: the new contents stored to a
         * temporary file first, which the repair takes them from, then removed). Null once repaired, else why not.
         */
        private String repairFile(ConflictRecord c, int choice, Repaired repaired) {
            if (c.objects().size() != 1) {
                return "no name, several objects";
            }
            Fid object = c.objects().get(0);
            Conflict.Name name = bindingOf(object);
            if (name == null) {
                return "no name on replica 0";
            }
            int keep = choice % group.size;
            List<RepairPlanner.Seen> versions = new ArrayList<>();
            for (ModelVolume m : group.replicas) {
                versions.add(ReplicaRepairs.read(m.volume, name.dir(), name.name(), ENTRY_BYTES));
            }
            VnodeRecord kept = versions.get(keep).vnode();
            UUID blob = kept == null ? null : kept.blobId();
            long length = kept == null ? 0 : kept.blobLength();
            String temporary = ".strand-put-" + storedOver;
            Fid staged = null;
            List<RepairPlanner.Seen> stagedVersions = null;
            if (choice % 2 == 1 && kept != null && kept.type() == FileType.FILE
                    && group.tryRun(all, new Create(name.dir(), temporary, 0600, true))) { // --from LOCALFILE
                staged = group.replicas[0].volume.fid(group.replicas[0].volume.vnode(
                        group.replicas[0].volume.vnode(name.dir().vnode()).entry(temporary)));
                blob = new UUID(77, ++storedOver); // a new blob each time, as a STORE uploads one
                length = choice;
                group.store(all, staged, blob, length);
                stagedVersions = new ArrayList<>();
                for (ModelVolume m : group.replicas) {
                    stagedVersions.add(ReplicaRepairs.read(m.volume, staged, null, ENTRY_BYTES));
                }
            }
            var decision = RepairPlanner.repairFile("model", name.dir(), name.name(), keep, versions, staged,
                    stagedVersions, 5_000_000);
            if (staged != null) { // removed either way, as the client does
                group.run(all, new Remove(name.dir(), temporary));
            }
            if (decision instanceof RepairPlanner.Refused refused) {
                return refused.message();
            }
            RepairPlanner.FileRepair repair = (RepairPlanner.FileRepair) decision;
            for (int r = 0; r < group.size; r++) {
                for (VolumeEvent e : ReplicaRepairs.fileRepairEvents(group.replicas[r].volume, r, repair.object(),
                        repair.steps().get(r))) {
                    group.replicas[r].apply(e);
                }
            }
            fileRepairs++;
            repaired.objects.add(object.vnode());
            for (int r = 0; r < group.size; r++) {
                Vnode v = group.replicas[r].volume.vnode(object.vnode());
                assertThat(v).as("replica %d keeps the repaired file", r).isNotNull();
                assertThat(List.of(v.mode(), Objects.toString(v.blobId()), v.blobLength()))
                        .as("replica %d holds replica %d's version", r, keep)
                        .isEqualTo(List.of(kept.mode(), Objects.toString(blob), length));
                for (RepairPlanner.Seen before : versions) {
                    assertThat(v.version().versionVector().includes(before.vnode().versionVector()))
                            .as("the repaired version dominates %s", before.vnode().versionVector()).isTrue();
                }
            }
            return null;
        }

        /** The name some replica binds {@code object} under (every replica must, for a file's repair). */
        private Conflict.Name bindingOf(Fid object) {
            Volume v = group.replicas[0].volume;
            Conflict.Name[] found = {null};
            find(v, v.root(), object.vnode(), found);
            return found[0];
        }

        private static void find(Volume v, Vnode dir, long vnode, Conflict.Name[] found) {
            for (var e : dir.entries().entrySet()) {
                if (found[0] != null) {
                    return;
                }
                if (e.getValue().vnode() == vnode) {
                    found[0] = new Conflict.Name(v.fid(dir), e.getKey());
                    return;
                }
                Vnode child = v.vnode(e.getValue());
                if (child != null && child.isDirectory()) {
                    find(v, child, vnode, found);
                }
            }
        }

        /**
         * {@code strand repair dir DIR --keep NAME=K ... [--rename-others]}: every name of the conflict's first
         * directory that any conflict names, each kept from a replica the choices pick.
         */
        private String repairDir(ConflictRecord c, List<Integer> choices, int next, Repaired repaired) {
            Fid dir = c.names().get(0).dir();
            List<String> names = new ArrayList<>();
            for (ConflictRecord any : conflicts()) {
                any.names().stream().filter(n -> n.dir().equals(dir) && !names.contains(n.name()))
                        .forEach(n -> names.add(n.name()));
            }
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                keep.add(choices.get((next + 1 + i) % choices.size()) % group.size);
            }
            boolean renameOthers = choices.get(next % choices.size()) % 2 == 0;
            var outcome = ModelDirRepair.decide(group, dir, names, keep, renameOthers);
            if (outcome.decision() instanceof RepairPlanner.Refused && new HashSet<>(keep).size() > 1) {
                // as a user told that the choices contradict each other would: every name from one replica
                keep.replaceAll(k -> keep.get(0));
                outcome = ModelDirRepair.decide(group, dir, names, keep, renameOthers);
            }
            if (outcome.decision() instanceof RepairPlanner.Refused refused) {
                return refused.message();
            }
            RepairPlanner.NamesRepair repair = (RepairPlanner.NamesRepair) outcome.decision();
            ModelDirRepair.perform(group, repair);
            dirRepairs++;
            names.clear();
            names.addAll(outcome.names()); // with the names its conflicts implied
            keep.clear();
            keep.addAll(outcome.keep());
            List<Map<String, RepairPlanner.Seen>> seen = outcome.seen();
            names.forEach(n -> repaired.names.add(new Conflict.Name(dir, n)));
            outcome.elsewhere().forEach(o -> repaired.names.add(new Conflict.Name(o.dir(), o.name())));
            repair.cleared().forEach(f -> repaired.objects.add(f.vnode()));
            for (int r = 0; r < group.size; r++) {
                Volume v = group.replicas[r].volume;
                Vnode d = v.vnode(dir.vnode());
                for (int i = 0; i < names.size(); i++) {
                    VnodeRecord kept = seen.get(keep.get(i)).get(names.get(i)).vnode();
                    DirectoryEntry bound = d.entry(names.get(i));
                    assertThat(bound == null ? null : bound.vnode()).as("replica %d binds '%s' as replica %d did",
                            r, names.get(i), keep.get(i)).isEqualTo(kept == null ? null : kept.vnode());
                    if (kept != null) {
                        Vnode o = v.vnode(bound);
                        assertThat(List.of(o.mode(), Objects.toString(o.blobId()), o.blobLength(),
                                Objects.toString(o.symlinkTarget())))
                                .as("replica %d holds replica %d's version of '%s'", r, keep.get(i), names.get(i))
                                .isEqualTo(List.of(kept.mode(), Objects.toString(kept.blobId()), kept.blobLength(),
                                        Objects.toString(kept.symlinkTarget())));
                    }
                }
                for (Map<String, RepairPlanner.Seen> before : seen) {
                    assertThat(d.version().versionVector().includes(before.get("").vnode().versionVector()))
                            .as("the directory's repaired version dominates").isTrue();
                }
            }
            return null;
        }

        // ---- what must hold -------------------------------------------------------------------------------

        /**
         * Every replica holds the same vnodes (tree, attributes, contents, versions), no conflict. Times are left
         * out: each model replica stamps a request's origin with its own clock, where real replicas share the
         * client's.
         */
        void assertIdentical() {
            Map<Long, VnodeRecord> first = timeless(records(group.replicas[0].volume));
            for (int r = 0; r < group.size; r++) {
                Volume v = group.replicas[r].volume;
                assertThat(v.conflicts().records()).as("replica %d's conflicts", r).isEmpty();
                assertThat(v.versionVector()).as("replica %d's volume vector", r)
                        .isEqualTo(group.replicas[0].volume.versionVector());
                assertThat(timeless(records(v))).as("replica %d", r).isEqualTo(first);
            }
        }

        /** Where a conflict is left, every replica's tree is the same outside what the conflicts name. */
        void assertIdenticalOutsideConflicts() {
            List<Conflict> left = conflicts().stream().map(c -> new Conflict(Conflict.Kind.valueOf(c.kind()),
                    c.objects(), c.names().stream().map(n -> new Conflict.Name(n.dir(), n.name())).toList(), c.paths(),
                    Set.copyOf(c.replicas()), List.of(), c.reason())).toList();
            for (int r = 1; r < group.size; r++) {
                assertThat(group.tree(r, left)).as("replica %d outside the conflicts", r).isEqualTo(group.tree(0, left));
            }
        }

        /**
         * Whatever only one side changed, outside every conflict and every repair, is on every replica as that side
         * left it: an object's data (or its absence), a name's binding (or its absence).
         */
        private void assertNoUpdateLost(ResolutionPlan.Planned plan, Repaired repaired, Diverged diverged) {
            List<LogEntry> logA = diverged.logA();
            List<LogEntry> logB = diverged.logB();
            Map<Long, VnodeRecord> imageA = diverged.imageA();
            Map<Long, VnodeRecord> imageB = diverged.imageB();
            Set<Long> heldOps = new HashSet<>();
            Set<Long> excludedObjects = new HashSet<>(repaired.objects);
            Set<OpEffects.NameKey> excludedNames = new HashSet<>();
            repaired.names.forEach(n -> excludedNames.add(new OpEffects.NameKey(n.dir().vnode(), n.name())));
            for (Conflict c : plan.conflicts()) {
                heldOps.addAll(c.opIds());
                c.objects().forEach(f -> excludedObjects.add(f.vnode()));
                c.names().forEach(n -> excludedNames.add(new OpEffects.NameKey(n.dir().vnode(), n.name())));
            }
            for (LogEntry e : concat(logA, logB)) {
                if (heldOps.contains(e.opId())) { // performed on one side only, until its repair
                    OpEffects fx = OpEffects.of(e.event());
                    excludedObjects.addAll(fx.touches());
                    excludedNames.addAll(fx.binds());
                    excludedNames.addAll(fx.unbinds());
                }
            }
            Changes a = changes(logA);
            Changes b = changes(logB);
            int checked = 0;
            for (long n : union(a.objects, b.objects)) {
                if (a.objects.contains(n) == b.objects.contains(n) || excludedObjects.contains(n)) {
                    continue;
                }
                VnodeRecord expected = (a.objects.contains(n) ? imageA : imageB).get(n);
                for (int r = 0; r < group.size; r++) {
                    Vnode v = group.replicas[r].volume.vnode(n);
                    assertThat(v == null ? null : data(v.toRecord(List.of()))).as("replica %d: vnode %d as side %s "
                            + "left it", r, n, a.objects.contains(n) ? "A" : "B")
                            .isEqualTo(expected == null ? null : data(expected));
                    checked++;
                }
            }
            for (OpEffects.NameKey k : union(a.names, b.names)) {
                if (a.names.contains(k) == b.names.contains(k) || excludedNames.contains(k)
                        || excludedObjects.contains(k.dir())) {
                    continue;
                }
                Long expected = binding(a.names.contains(k) ? imageA : imageB, k);
                for (int r = 0; r < group.size; r++) {
                    assertThat(binding(records(group.replicas[r].volume), k))
                            .as("replica %d: '%s' in vnode %d as side %s left it", r, k.name(), k.dir(),
                                    a.names.contains(k) ? "A" : "B").isEqualTo(expected);
                    checked++;
                }
            }
            updatesChecked += checked;
        }

        private record Changes(Set<Long> objects, Set<OpEffects.NameKey> names) {}

        /** The objects whose data (creation and removal included) and the names a side's operations changed. */
        private static Changes changes(List<LogEntry> log) {
            Set<Long> objects = new HashSet<>();
            Set<OpEffects.NameKey> names = new HashSet<>();
            for (LogEntry e : log) {
                OpEffects fx = OpEffects.of(e.event());
                objects.addAll(fx.dataChanges());
                objects.addAll(fx.creates());
                objects.addAll(fx.removes());
                names.addAll(fx.binds());
                names.addAll(fx.unbinds());
            }
            return new Changes(objects, names);
        }

        /** What an object holds, leaving out its names, versions and times. */
        private static List<Object> data(VnodeRecord v) {
            return List.of(v.unique(), v.type(), v.mode(), Objects.toString(v.owner()), v.size(),
                    Objects.toString(v.blobId()), v.blobLength(), Objects.toString(v.symlinkTarget()));
        }

        /** The vnode {@code k} binds in {@code image}, or null (none, or no such directory). */
        private static Long binding(Map<Long, VnodeRecord> image, OpEffects.NameKey k) {
            VnodeRecord dir = image.get(k.dir());
            return dir == null ? null : dir.entries().stream().filter(e -> e.name().equals(k.name()))
                    .map(e -> e.vnode()).findFirst().orElse(null);
        }

        private static Map<Long, VnodeRecord> timeless(Map<Long, VnodeRecord> records) {
            Map<Long, VnodeRecord> out = new TreeMap<>();
            records.forEach((n, v) -> out.put(n, new VnodeRecord(v.vnode(), v.unique(), v.type(), v.mode(), v.owner(),
                    v.size(), v.linkCount(), 0, 0, v.dataVersion(), v.versionVector(), v.blobId(), v.blobLength(),
                    v.symlinkTarget(), v.parent(), v.entries())));
            return out;
        }

        private static Map<Long, VnodeRecord> records(Volume v) {
            Map<Long, VnodeRecord> out = new TreeMap<>();
            v.toSnapshot().vnodes().forEach(r -> out.put(r.vnode(), r));
            return out;
        }

        private static <T> Set<T> union(Set<T> a, Set<T> b) {
            Set<T> u = new LinkedHashSet<>(a);
            u.addAll(b);
            return u;
        }

        private static List<LogEntry> concat(List<LogEntry> a, List<LogEntry> b) {
            List<LogEntry> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }

        // ---- reading an action against the side's state ---------------------------------------------------

        void perform(int[] side, Action a, int seq) {
            Volume v = group.replicas[side[0]].volume;
            List<Fid> dirs = new ArrayList<>();
            List<Object[]> entries = new ArrayList<>(); // {dir fid, name, entry}
            collect(v, v.root(), dirs, entries);
            String name = (a.kind() == 1 ? "d" : "n") + a.name(); // directories apart: see actions()
            Fid dir = dirs.get(a.dir() % dirs.size());
            Object[] entry = entries.isEmpty() ? null : entries.get(a.object() % entries.size());
            Request request = switch (a.kind()) {
                case 0 -> new Create(dir, name, 0644, true);
                case 1 -> new MkDir(dir, name, 0755);
                case 2 -> new Symlink(dir, name, "t" + seq);
                default -> entry == null ? null : onEntry(a.kind(), v, (Fid) entry[0], (String) entry[1],
                        (DirectoryEntry) entry[2], dir, name, seq);
            };
            if (request instanceof ResolutionPropertiesTest.StoreRequest s) {
                group.store(side, s.fid(), s.blob(), s.length());
            } else if (request != null) {
                group.tryRun(side, request);
            }
        }

        private static Request onEntry(int kind, Volume v, Fid parent, String name, DirectoryEntry e, Fid dir,
                                       String newName, int seq) {
            Fid fid = e.fid(v.volumeId());
            return switch (kind) {
                case 3 -> new Remove(parent, name);
                case 4 -> new RmDir(parent, name);
                case 5 -> new Rename(parent, name, dir, newName);
                case 6 -> e.type() == FileType.FILE
                        ? new ResolutionPropertiesTest.StoreRequest(fid, new UUID(seq, fid.vnode()), seq) : null;
                case 7 -> e.type() == FileType.DIRECTORY ? null : new SetAttr(fid, 0600 + seq % 64, null, null);
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
}

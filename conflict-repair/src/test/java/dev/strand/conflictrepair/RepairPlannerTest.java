package dev.strand.conflictrepair;

import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.volume.VolumeEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RepairPlanner}'s decisions on model replicas that a resolution left in conflict. */
class RepairPlannerTest {

    private static final int[] A = {0};
    private static final int[] B = {1};

    /**
     * Replica 0 creates /n0 and moves it to /n1/n0 while replica 1 creates another /n0: resolution reports one
     * NAME_NAME conflict naming /n0 and /n1/n0. A repair of /'s names used to end the whole conflict, leaving /n1/n0 on
     * replica 0 only with no conflict marked (the replicas silently different); then it was refused, which left a
     * conflict no command cleared. Now /n1/n0 is taken from the same replica as /n0, in the same write.
     */
    @Test
    void aRepairOfOneDirectorySettlesTheNamesItsConflictNamesInAnotherDirectory() {
        for (boolean renameOthers : new boolean[] {false, true}) {
            for (int keep = 0; keep < 2; keep++) {
                ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
                Group group = run.group;
                Fid root = group.root();
                group.run(run.all, new MkDir(root, "n1", 0755));
                Fid n1 = group.fid(0, "n1");
                group.recording = true;
                group.allocateFrom(B, 1_000);
                group.run(A, new Create(root, "n0", 0644, true));
                Fid moved = group.fid(0, "n0");
                group.run(A, new Rename(root, "n0", n1, "n0"));
                group.run(B, new Create(root, "n0", 0644, true));
                Fid created = group.fid(1, "n0");
                ResolutionPlan.Planned plan = run.resolve();
                assertThat(plan.conflicts()).singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(Conflict.Kind.NAME_NAME);
                    assertThat(c.names()).containsExactlyInAnyOrder(new Conflict.Name(root, "n0"),
                            new Conflict.Name(n1, "n0"));
                });

                var outcome = ModelDirRepair.decide(group, root, List.of("n0"), List.of(keep), renameOthers);
                assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
                assertThat(outcome.elsewhere()).containsExactly(new RepairPlanner.Choice(n1, "n0", keep));
                ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
                run.assertIdentical();
                assertThat(group.fid(1, "n0")).isEqualTo(keep == 0 ? null : created);
                assertThat(group.fid(1, "n1/n0")).isEqualTo(keep == 0 ? moved : null);
                assertThat(group.fid(0, keep == 0 ? "n0.conflict-r1" : "n1/n0.conflict-r0"))
                        .isEqualTo(renameOthers ? keep == 0 ? created : moved : null);
            }
        }
    }

    /**
     * Both sides remove /d/f; side B first linked f as /g. Resolution reports two REMOVE_UPDATE conflicts on f: one
     * naming /d/f, one naming /d/f and /g. A repair of /d's names used to see the first only (a replica reported the
     * first conflict of a name) and ended both, leaving /g on replica 1 only with no conflict marked. Now it settles
     * /g too, from the same replica as /d/f.
     */
    @Test
    void aRepairSeesEveryConflictItWouldEndAndSettlesTheirNames() {
        for (int keep = 0; keep < 2; keep++) {
            ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
            Group group = run.group;
            Fid root = group.root();
            group.run(run.all, new MkDir(root, "d", 0755));
            Fid d = group.fid(0, "d");
            group.run(run.all, new Create(d, "f", 0644, true));
            Fid f = group.fid(0, "d/f");
            group.recording = true;
            group.allocateFrom(B, 1_000);
            group.run(A, new Remove(d, "f"));
            group.run(B, new Link(root, "g", f));
            group.run(B, new Remove(d, "f"));
            ResolutionPlan.Planned plan = run.resolve();
            assertThat(plan.conflicts()).hasSize(2).allSatisfy(c -> assertThat(c.objects()).containsExactly(f));

            var outcome = ModelDirRepair.decide(group, d, List.of("f"), List.of(keep), false);
            assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
            ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
            run.assertIdentical();
            assertThat(group.fid(0, "g")).isEqualTo(keep == 0 ? null : f); // replica 1 kept it as /g
        }
    }

    /**
     * Replica 0 links /n0 as /n1 and unlinks /n1 again while replica 1 creates another /n1. The NAME_NAME conflict on
     * /n1 names /n0's object too (the link touched it). 'repair dir /' ends the conflict and its objects' conflicts;
     * it used to install only objects bound under the chosen names, so /n0's object kept unequal version vectors on
     * the replicas with no conflict marked. The planner now asks to read it by fid and installs it with one final
     * version.
     */
    @Test
    void aRepairOfNamesLeavesNoObjectOfTheConflictBoundElsewhereUnequal() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        Fid root = group.root();
        group.run(run.all, new Create(root, "n0", 0644, true));
        Fid n0 = group.fid(0, "n0");
        group.recording = true;
        group.allocateFrom(B, 1_000);
        group.run(A, new Link(root, "n1", n0));
        group.run(A, new Remove(root, "n1"));
        group.run(B, new Create(root, "n1", 0644, true));
        run.resolve();

        var outcome = ModelDirRepair.decide(group, root, List.of("n1"), List.of(0), true);
        assertThat(outcome.decision()).isInstanceOfSatisfying(RepairPlanner.NamesRepair.class, repair ->
                assertThat(repair.objects()).extracting(o -> o.vnode()).contains(n0.vnode()));
        ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
        run.assertIdentical();
        assertThat(group.fid(0, "n0")).isEqualTo(n0);
    }

    /**
     * /f renamed to /a on replica 0 and to /b on replica 1: a RENAME_RENAME on /f naming /a and /b. 'repair dir /
     * --keep f=0' alone settles it: the names the moves bound are taken from replica 0 too, so the file is /a
     * everywhere, no conflict is left and the replicas are identical.
     */
    @Test
    void keepingOneNameOfARenameRenameSettlesItWithTheNamesThatReplicaMovedItTo() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        Fid root = group.root();
        group.run(run.all, new Create(root, "f", 0644, true));
        Fid f = group.fid(0, "f");
        group.recording = true;
        group.allocateFrom(B, 1_000);
        group.run(A, new Rename(root, "f", root, "a"));
        group.run(B, new Rename(root, "f", root, "b"));
        ResolutionPlan.Planned plan = run.resolve();
        assertThat(plan.conflicts()).singleElement().satisfies(c -> assertThat(c.kind())
                .isEqualTo(Conflict.Kind.RENAME_RENAME));

        var outcome = ModelDirRepair.decide(group, root, List.of("f"), List.of(0), false);
        assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
        assertThat(outcome.names()).containsExactlyInAnyOrder("f", "a", "b");
        ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
        run.assertIdentical();
        assertThat(group.fid(1, "a")).isEqualTo(f);
        assertThat(group.fid(1, "b")).isNull();
        assertThat(group.fid(1, "f")).isNull();
    }

    /**
     * Replica 0 stores into /f and renames it to /g while replica 1 stores into /f: an UPDATE_UPDATE on f that names
     * /f and /g (the rename is held with it). 'repair file' under either name is refused with a message naming the
     * 'repair dir' that settles it, and that one does.
     */
    @Test
    void aFileChangedOnBothSidesAndRenamedOnOneIsSettledByTheRepairDirTheRefusalNames() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        Fid root = group.root();
        group.run(run.all, new Create(root, "f", 0644, true));
        Fid f = group.fid(0, "f");
        group.recording = true;
        group.allocateFrom(B, 1_000);
        group.store(A, f, new java.util.UUID(1, 1), 10);
        group.run(A, new Rename(root, "f", root, "g"));
        group.store(B, f, new java.util.UUID(2, 2), 20);
        ResolutionPlan.Planned plan = run.resolve();
        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.UPDATE_UPDATE);
            assertThat(c.names()).containsExactlyInAnyOrder(new Conflict.Name(root, "f"), new Conflict.Name(root, "g"));
        });

        for (String name : List.of("f", "g")) {
            List<RepairPlanner.Seen> versions = List.of(ReplicaRepairs.read(group.replicas[0].volume, root, name, 1 << 20),
                    ReplicaRepairs.read(group.replicas[1].volume, root, name, 1 << 20));
            for (int keep = 0; keep < 2; keep++) {
                assertThat(RepairPlanner.repairFile("vol", root, name, keep, versions, 5_000_000))
                        .as("repair file %s --keep %d", name, keep)
                        .isInstanceOfSatisfying(RepairPlanner.Refused.class, r -> assertThat(r.message())
                                .contains("'strand repair dir'").contains("--keep f=R --keep g=R"));
            }
        }
        var outcome = ModelDirRepair.decide(group, root, List.of("f", "g"), List.of(1, 1), false);
        assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
        ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
        run.assertIdentical();
        assertThat(group.fid(0, "f")).isEqualTo(f);
        assertThat(group.at(0, "f").blobId()).isEqualTo(new java.util.UUID(2, 2)); // replica 1's contents
        assertThat(group.fid(0, "g")).isNull();
    }

    /**
     * Both sides store into /f (UPDATE_UPDATE on its object, naming no name) while replica 1 links it as /g and replica
     * 0 creates another /g (NAME_NAME on /g, naming the object too). 'repair file /f' refuses (a conflict over names
     * names the object) and 'repair dir' refused the UPDATE_UPDATE: no command cleared them. Now 'repair dir / --keep
     * g=1' settles both with replica 1's version of the object.
     */
    @Test
    void anUpdateUpdateOfAnObjectBoundToAChosenNameEndsWithTheChosenReplicasVersion() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        Fid root = group.root();
        group.run(run.all, new Create(root, "f", 0644, true));
        Fid f = group.fid(0, "f");
        group.recording = true;
        group.allocateFrom(B, 1_000);
        group.store(A, f, new java.util.UUID(1, 1), 10);
        group.run(A, new Create(root, "g", 0644, true));
        group.store(B, f, new java.util.UUID(2, 2), 20);
        group.run(B, new Link(root, "g", f));
        ResolutionPlan.Planned plan = run.resolve();
        assertThat(plan.conflicts()).extracting(Conflict::kind)
                .contains(Conflict.Kind.UPDATE_UPDATE, Conflict.Kind.NAME_NAME);
        List<RepairPlanner.Seen> versions = List.of(ReplicaRepairs.read(group.replicas[0].volume, root, "f", 1 << 20),
                ReplicaRepairs.read(group.replicas[1].volume, root, "f", 1 << 20));
        assertThat(RepairPlanner.repairFile("vol", root, "f", 1, versions, 5_000_000))
                .isInstanceOf(RepairPlanner.Refused.class);

        var outcome = ModelDirRepair.decide(group, root, List.of("g"), List.of(1), false);
        assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
        ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
        run.assertIdentical();
        assertThat(group.fid(0, "g")).isEqualTo(f);
        assertThat(group.at(0, "f").blobId()).isEqualTo(new java.util.UUID(2, 2)); // replica 1's contents
        assertThat(group.at(0, "f").linkCount()).isEqualTo(2);
    }

    /**
     * 'repair file --from': the repair takes the staged file's contents on every replica, the kept replica's
     * attributes, in its own steps; a staged file one replica lacks is refused (nothing decided).
     */
    @Test
    void aFileRepairTakesTheStagedFilesContentsOnlyIfEveryReplicaHoldsIt() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        Fid root = group.root();
        group.run(run.all, new Create(root, "f", 0644, true));
        Fid f = group.fid(0, "f");
        group.recording = true;
        group.allocateFrom(B, 1_000);
        group.store(A, f, new java.util.UUID(1, 1), 10);
        group.store(B, f, new java.util.UUID(2, 2), 20);
        run.resolve();
        group.run(A, new Create(root, "staged", 0600, true)); // replica 0 only
        Fid staged = group.fid(0, "staged");
        group.store(A, staged, new java.util.UUID(3, 3), 30);
        List<RepairPlanner.Seen> versions = List.of(ReplicaRepairs.read(group.replicas[0].volume, root, "f", 1 << 20),
                ReplicaRepairs.read(group.replicas[1].volume, root, "f", 1 << 20));
        List<RepairPlanner.Seen> stagedVersions = List.of(
                ReplicaRepairs.read(group.replicas[0].volume, staged, null, 1 << 20),
                ReplicaRepairs.read(group.replicas[1].volume, staged, null, 1 << 20));

        assertThat(RepairPlanner.repairFile("vol", root, "f", 1, versions, staged, stagedVersions, 5_000_000))
                .isInstanceOfSatisfying(RepairPlanner.Refused.class, r -> assertThat(r.message())
                        .contains("replica 1 has no file " + staged));

        List<RepairPlanner.Seen> both = List.of(stagedVersions.get(0), stagedVersions.get(0));
        var decision = RepairPlanner.repairFile("vol", root, "f", 1, versions, staged, both, 5_000_000);
        assertThat(decision).isInstanceOfSatisfying(RepairPlanner.FileRepair.class, repair ->
                assertThat(repair.steps()).allSatisfy(steps -> assertThat(steps.get(0)).isInstanceOfSatisfying(
                        PlanStep.TakeData.class, take -> {
                            assertThat(take.blobId()).isEqualTo(new java.util.UUID(3, 3));
                            assertThat(take.size()).isEqualTo(30);
                            assertThat(take.mode()).isEqualTo(0644);
                        })));
    }

    /** A conflict over two names of one directory is ended only by a repair that chooses for both. */
    @Test
    void aRepairMustChooseForEveryNameOfTheConflictsItEnds() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        Fid root = group.root();
        group.recording = true;
        group.allocateFrom(B, 1_000);
        group.run(A, new Create(root, "n0", 0644, true));
        group.run(A, new Rename(root, "n0", root, "n2"));
        group.run(B, new Create(root, "n0", 0644, true));
        ResolutionPlan.Planned plan = run.resolve();
        assertThat(plan.conflicts()).singleElement().satisfies(c -> assertThat(c.names())
                .containsExactlyInAnyOrder(new Conflict.Name(root, "n0"), new Conflict.Name(root, "n2")));

        var partial = RepairPlanner.repairDir(root, List.of("n0"), List.of(1), false,
                read(group, root, List.of("n0"), false), 5_000_000);
        assertThat(partial).isInstanceOfSatisfying(RepairPlanner.Refused.class,
                r -> assertThat(r.message()).contains("choose a replica for every name"));

        var whole = RepairPlanner.repairDir(root, List.of("n0", "n2"), List.of(1, 0), false,
                read(group, root, List.of("n0", "n2"), false), 5_000_000);
        assertThat(whole).isInstanceOf(RepairPlanner.NamesRepair.class);
        for (int r = 0; r < 2; r++) {
            for (VolumeEvent e : ReplicaRepairs.namesRepairEvents(group.replicas[r].volume, r,
                    (RepairPlanner.NamesRepair) whole)) {
                group.replicas[r].apply(e);
            }
        }
        run.assertIdentical();
        assertThat(group.fid(0, "n0").vnode()).isEqualTo(1_000); // replica 1's /n0
        assertThat(group.fid(0, "n2")).isNotNull(); // replica 0's, under the name it moved it to
    }

    /**
     * Found by the property (shrunk): round 1, replica 0 removes /n0 (X) and creates another /n0 (Y) while replica 1
     * stores into X; the repair keeps Y and X as /n0.conflict-r1. Round 2, replica 0 renames X to /n1 and links Y as
     * /n2, replica 1 renames Y to /n1. The repair of /'s names decided to drop Y, judging by the first replica that
     * showed it (one name) while another showed two: that replica refused (CHANGED) and the others performed the
     * repair. Now any replica's version read counts.
     */
    @Test
    void anObjectWithOtherNamesOnAnyReplicaIsNotDropped() {
        var run = new ResolutionAndRepairPropertiesTest.Run(2);
        run.perform(run.all, new ResolutionAndRepairPropertiesTest.Action(0, 0, 0, 0), 0);
        boolean repaired = run.round(0, new ResolutionAndRepairPropertiesTest.Round(0,
                List.of(new ResolutionAndRepairPropertiesTest.Action(3, 0, 0, 0),
                        new ResolutionAndRepairPropertiesTest.Action(0, 0, 0, 0)),
                List.of(new ResolutionAndRepairPropertiesTest.Action(6, 0, 0, 0)), List.of(0)));
        assertThat(repaired).isTrue();
        repaired = run.round(1, new ResolutionAndRepairPropertiesTest.Round(0,
                List.of(new ResolutionAndRepairPropertiesTest.Action(5, 1, 0, 1),
                        new ResolutionAndRepairPropertiesTest.Action(8, 0, 0, 2)),
                List.of(new ResolutionAndRepairPropertiesTest.Action(5, 0, 0, 1)), List.of(1, 1, 0, 0)));
        if (repaired) { // else refused by the coordinator, nothing done: the replicas still agree outside it
            run.assertIdentical();
        } else {
            run.assertIdenticalOutsideConflicts();
        }
    }

    /**
     * Both sides of a partition make /build and write in it (replica 0 two levels deep: build/sub/deep/f): resolution
     * marks NAME_NAME on /build. 'repair dir / --keep build=R' used to refuse a name bound to a directory; now the
     * kept directory is installed with its whole subtree on every replica, the other one is removed with its subtree
     * or (rename-others) kept as build.conflict-rJ with its subtree, and every replica ends identical.
     */
    @Test
    void aNameBoundToDirectoriesOnBothSidesIsSettledWithTheirSubtrees() {
        for (boolean renameOthers : new boolean[] {false, true}) {
            for (int keep = 0; keep < 2; keep++) {
                ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
                Group group = run.group;
                Fid root = group.root();
                group.recording = true;
                group.allocateFrom(B, 1_000);
                Fid[] a = buildTree(group, A, true);
                Fid[] b = buildTree(group, B, false);
                ResolutionPlan.Planned plan = run.resolve();
                assertThat(plan.conflicts()).singleElement().satisfies(c -> {
                    assertThat(c.kind()).isEqualTo(Conflict.Kind.NAME_NAME);
                    assertThat(c.names()).contains(new Conflict.Name(root, "build")); // and the names made in them
                });
                List<Fid> written = List.of(root, a[0], b[0], a[1], b[1]);
                Map<Long, List<dev.strand.replication.VersionVector>> before = new java.util.HashMap<>();
                for (Fid f : written) { // every replica's version of each
                    for (var m : group.replicas) {
                        if (m.volume.vnode(f.vnode()) != null) {
                            before.computeIfAbsent(f.vnode(), n -> new java.util.ArrayList<>())
                                    .add(m.volume.vnode(f.vnode()).version().versionVector());
                        }
                    }
                }

                var outcome = ModelDirRepair.decide(group, root, List.of("build"), List.of(keep), renameOthers);
                assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
                ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
                run.assertIdentical();
                Fid[] kept = keep == 0 ? a : b;
                Fid[] other = keep == 0 ? b : a;
                int otherReplica = 1 - keep;
                for (int r = 0; r < 2; r++) {
                    assertThat(group.fid(r, "build")).isEqualTo(kept[0]);
                    assertThat(group.fid(r, "build/f")).isEqualTo(kept[1]);
                    String renamed = "build.conflict-r" + otherReplica;
                    assertThat(group.fid(r, renamed)).isEqualTo(renameOthers ? other[0] : null);
                    assertThat(group.fid(r, renamed + "/f")).isEqualTo(renameOthers ? other[1] : null);
                    for (Fid o : other) { // dropped with its subtree, or kept under the other name
                        assertThat(group.replicas[r].volume.vnode(o.vnode()) != null).isEqualTo(renameOthers);
                    }
                }
                Fid deep = a[2];
                assertThat(group.fid(1, keep == 0 ? "build/sub/deep/f"
                        : renameOthers ? "build.conflict-r0/sub/deep/f" : "build/sub/deep/f"))
                        .isEqualTo(keep == 0 || renameOthers ? deep : null);
                int compared = 0;
                for (int r = 0; r < 2; r++) { // what the repair wrote dominates every earlier version of it
                    for (Fid f : written) {
                        var now = group.replicas[r].volume.vnode(f.vnode());
                        if (now == null) {
                            continue; // dropped
                        }
                        for (var earlier : before.get(f.vnode())) {
                            compared++;
                            assertThat(now.version().versionVector().includes(earlier)
                                    && !earlier.includes(now.version().versionVector()))
                                    .as("%s on replica %d after, %s before", f, r, earlier).isTrue();
                        }
                    }
                }
                assertThat(compared).isGreaterThanOrEqualTo(6);
            }
        }
    }

    /**
     * Both sides did 'mkdir -p out/x' and wrote out/x/o: one NAME_NAME on /out naming the names made below it on both
     * sides. Each choice leaves identical replicas, the other side's /out/x/o gone or under out.conflict-rJ.
     */
    @Test
    void mkdirMinusPOnBothSidesIsSettledWithBothLevels() {
        for (boolean renameOthers : new boolean[] {false, true}) {
            for (int keep = 0; keep < 2; keep++) {
                ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
                Group group = run.group;
                Fid root = group.root();
                group.recording = true;
                group.allocateFrom(B, 1_000);
                Fid[] o = new Fid[2];
                for (int side = 0; side < 2; side++) {
                    int[] replicas = side == 0 ? A : B;
                    group.run(replicas, new MkDir(root, "out", 0755));
                    group.run(replicas, new MkDir(group.fid(side, "out"), "x", 0755));
                    group.run(replicas, new Create(group.fid(side, "out/x"), "o", 0644, true));
                    o[side] = group.fid(side, "out/x/o");
                }
                run.resolve();

                var outcome = ModelDirRepair.decide(group, root, List.of("out"), List.of(keep), renameOthers);
                assertThat(outcome.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
                assertThat(outcome.names()).as("the names below /out go with it").containsExactly("out");
                ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) outcome.decision());
                run.assertIdentical();
                for (int r = 0; r < 2; r++) {
                    assertThat(group.fid(r, "out/x/o")).isEqualTo(o[keep]);
                    assertThat(group.fid(r, "out.conflict-r" + (1 - keep) + "/x/o"))
                            .isEqualTo(renameOthers ? o[1 - keep] : null);
                    assertThat(group.replicas[r].volume.vnode(o[1 - keep].vnode()) != null).isEqualTo(renameOthers);
                }
            }
        }
    }

    /** A side makes /build holding f (and with {@code deep}, build/sub/deep/f): the fids of build, f, (deep/f). */
    private static Fid[] buildTree(Group group, int[] side, boolean deep) {
        int r = side[0];
        group.run(side, new MkDir(group.root(), "build", 0755));
        Fid build = group.fid(r, "build");
        group.run(side, new Create(build, "f", 0644, true));
        if (!deep) {
            return new Fid[] {build, group.fid(r, "build/f")};
        }
        group.run(side, new MkDir(build, "sub", 0755));
        group.run(side, new MkDir(group.fid(r, "build/sub"), "deep", 0755));
        group.run(side, new Create(group.fid(r, "build/sub/deep"), "f", 0644, true));
        return new Fid[] {build, group.fid(r, "build/f"), group.fid(r, "build/sub/deep/f")};
    }


    /**
     * A directory subtree whose objects would pass what one repair writes at once is refused with INVALID_ARGUMENT
     * saying so, and nothing is decided (with the server's bound, the same repair is decided).
     */
    @Test
    void aSubtreeLargerThanOneRepairsWriteIsRefused() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        group.recording = true;
        group.allocateFrom(B, 1_000);
        buildTree(group, A, true);
        buildTree(group, B, false);
        run.resolve();

        var refused = ModelDirRepair.decide(group, group.root(), List.of("build"), List.of(0), true, 1_000);
        assertThat(refused.decision()).isInstanceOfSatisfying(RepairPlanner.Refused.class, r -> {
            assertThat(r.status()).isEqualTo(dev.strand.protocol.Status.INVALID_ARGUMENT);
            assertThat(r.message()).contains("more than one repair writes at once (1000 bytes");
        });
        var decided = ModelDirRepair.decide(group, group.root(), List.of("build"), List.of(0), true);
        assertThat(decided.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
    }

    /**
     * A file in a directory that a repair would drop, with another name outside it (a hard link made on that side)
     * that the repair keeps: refused, naming the object and what to do; nothing is decided. If the repair unbinds
     * every name of it, it is removed everywhere.
     */
    @Test
    void aSubtreeObjectWithANameOutsideItIsRefusedWithWhatToDo() {
        ResolutionAndRepairPropertiesTest.Run run = new ResolutionAndRepairPropertiesTest.Run(2);
        Group group = run.group;
        group.recording = true;
        group.allocateFrom(B, 1_000);
        buildTree(group, A, false);
        Fid[] b = buildTree(group, B, false);
        group.run(B, new Link(group.root(), "outside", b[1]));
        run.resolve();

        var outcome = ModelDirRepair.decide(group, group.root(), List.of("build", "outside"), List.of(0, 1), false);
        assertThat(outcome.decision()).isInstanceOfSatisfying(RepairPlanner.Refused.class, r -> assertThat(
                r.message()).contains("vnode " + b[1].vnode(), "has 2 names, 1 of them in that directory",
                "'strand rm /VOLUME/outside'").doesNotContain("strand rm /VOLUME/build"));
        var another = ModelDirRepair.decide(group, group.root(), List.of("outside", "build"), List.of(1, 0), false);
        assertThat(another.decision()).as("the same, the names chosen the other way round")
                .isInstanceOf(RepairPlanner.Refused.class);

        // every name of it goes (replica 0 binds neither): it is removed with replica 1's directory
        var removed = ModelDirRepair.decide(group, group.root(), List.of("build", "outside"), List.of(0, 0), false);
        assertThat(removed.decision()).isInstanceOf(RepairPlanner.NamesRepair.class);
        ModelDirRepair.perform(group, (RepairPlanner.NamesRepair) removed.decision());
        run.assertIdentical();
        for (int r = 0; r < 2; r++) {
            assertThat(group.replicas[r].volume.vnode(b[1].vnode())).isNull();
            assertThat(group.fid(r, "outside")).isNull();
        }
    }

    /** Every replica's report of the directory and of {@code names}, as the coordinator gathers them. */
    private static List<Map<String, RepairPlanner.Seen>> read(Group group, Fid dir, List<String> names,
                                                              boolean renameOthers) {
        return ModelDirRepair.read(group, dir, names, renameOthers);
    }
}

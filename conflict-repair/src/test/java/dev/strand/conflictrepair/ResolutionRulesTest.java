package dev.strand.conflictrepair;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;
import dev.strand.volume.Vnode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per rule of {@link MergeRules} and per outcome the planner can give: two replicas, one per side. */
class ResolutionRulesTest {

    static final int[] BOTH = {0, 1};
    static final int[] A = {0};
    static final int[] B = {1};

    Group group;
    Fid root;

    @BeforeEach
    void start() {
        group = new Group(2);
        root = group.root();
    }

    /** Shared history, then the partition: from here each side logs what it does, and allocates its own fids. */
    void partition() {
        group.recording = true;
        group.allocateFrom(B, 1_000);
    }

    Fid create(int[] side, Fid dir, String name) {
        return ((Attr) group.run(side, new Create(dir, name, 0644, true))).fid();
    }

    Fid mkdir(int[] side, Fid dir, String name) {
        return ((Attr) group.run(side, new MkDir(dir, name, 0755))).fid();
    }

    ResolutionPlan.Planned resolve() {
        ResolutionPlan plan = group.plan();
        assertThat(plan).isInstanceOf(ResolutionPlan.Planned.class);
        ResolutionPlan.Planned planned = (ResolutionPlan.Planned) plan;
        group.apply(planned);
        return planned;
    }

    void assertSameTrees(List<Conflict> conflicts) {
        assertThat(group.tree(1, conflicts)).isEqualTo(group.tree(0, conflicts));
    }

    VersionVector vector(int r, String path) {
        return group.at(r, path).version().versionVector();
    }

    @Test
    void namesCreatedOnDifferentSidesAreBothThereAfterwards() {
        Fid d = mkdir(BOTH, root, "d");
        VersionVector before = vector(0, "d");
        partition();
        create(A, d, "from-a");
        create(B, d, "from-b");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertSameTrees(List.of());
        assertThat(group.tree(0, List.of())).containsKeys("/d/from-a", "/d/from-b");
        assertThat(vector(0, "d")).isEqualTo(vector(1, "d"));
        assertThat(vector(0, "d").compare(before)).isEqualTo(VersionOrder.DOMINATES);
        assertThat(group.fid(1, "d/from-a")).isEqualTo(group.fid(0, "d/from-a")); // the same fid everywhere
    }

    @Test
    void fileChangedOnOneSideOnlyIsTakenByTheOther() {
        Fid f = create(BOTH, root, "f");
        partition();
        UUID blob = UUID.randomUUID();
        group.store(A, f, blob, 10);
        group.run(A, new SetAttr(f, 0600, null, null));
        create(B, root, "other");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        Vnode onB = group.at(1, "f");
        assertThat(onB.blobId()).isEqualTo(blob);
        assertThat(onB.mode()).isEqualTo(0600);
        assertSameTrees(List.of());
        assertThat(vector(1, "f")).isEqualTo(vector(0, "f"));
        assertThat(group.at(1, "f").version().dataVersion()).isEqualTo(group.at(0, "f").version().dataVersion());
    }

    @Test
    void fileRemovedOnOneSideAndUntouchedOnTheOtherIsRemoved() {
        create(BOTH, root, "f");
        partition();
        group.run(A, new Remove(root, "f"));
        create(B, root, "g");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(group.at(1, "f")).isNull();
        assertSameTrees(List.of());
    }

    @Test
    void replicaThatMissedUpdatesGetsThemAll() {
        partition();
        Fid d = mkdir(A, root, "d");
        Fid f = create(A, d, "f");
        group.store(A, f, UUID.randomUUID(), 5);
        group.run(A, new Rename(d, "f", root, "moved"));
        group.run(A, new Link(d, "hard", f));

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertSameTrees(List.of());
        assertThat(group.tree(1, List.of())).containsKeys("/d", "/d/hard", "/moved");
        assertThat(group.at(1, "moved").linkCount()).isEqualTo(2);
    }

    @Test
    void sameFileChangedOnBothSidesIsAnUpdateUpdateConflictAndNeitherVersionIsPicked() {
        Fid f = create(BOTH, root, "f");
        partition();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        group.store(A, f, a, 1);
        group.store(B, f, b, 2);
        create(B, root, "unrelated");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.UPDATE_UPDATE);
            assertThat(c.objects()).containsExactly(f);
            assertThat(c.paths()).containsExactly("/f");
            assertThat(c.replicas()).containsExactly(0, 1);
        });
        assertThat(group.at(0, "f").blobId()).isEqualTo(a);
        assertThat(group.at(1, "f").blobId()).isEqualTo(b);
        assertThat(vector(0, "f").compare(vector(1, "f"))).isEqualTo(VersionOrder.CONCURRENT);
        assertThat(group.at(0, "unrelated")).isNotNull(); // everything else still merges
        assertSameTrees(plan.conflicts());
    }

    @Test
    void sameChangeWhoseCop2WasLostIsWeaklyEqualAndOnlyTheVectorsMerge() {
        Fid f = create(BOTH, root, "f");
        group.recording = true;
        group.runLosingCop2(BOTH, new SetAttr(f, 0600, null, null));
        assertThat(vector(0, "f").compare(vector(1, "f"))).isEqualTo(VersionOrder.CONCURRENT);
        long dataVersion = group.at(0, "f").version().dataVersion();

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(plan.steps().values()).allSatisfy(steps -> assertThat(steps)
                .allMatch(s -> s instanceof PlanStep.Stamp));
        assertThat(vector(0, "f")).isEqualTo(vector(1, "f")).isEqualTo(VersionVector.fromList(List.of(2L, 2L)));
        assertThat(group.at(1, "f").version().dataVersion()).isEqualTo(dataVersion);
    }

    @Test
    void oneNameCreatedOnBothSidesForDifferentObjectsIsANameNameConflict() {
        partition();
        Fid onA = create(A, root, "x");
        Fid onB = mkdir(B, root, "x");
        create(B, onB, "inside");
        create(A, root, "y");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.NAME_NAME);
            assertThat(c.names()).contains(new Conflict.Name(root, "x"));
            assertThat(c.objects()).contains(onA, onB);
            assertThat(c.paths()).contains("/x");
        });
        assertThat(group.fid(0, "x")).isEqualTo(onA);
        assertThat(group.fid(1, "x")).isEqualTo(onB);
        assertThat(group.at(1, "y")).isNotNull();
        assertSameTrees(plan.conflicts());
        // the directory holding the name keeps unequal vectors: no later comparison takes it as settled
        assertThat(group.at(0, "").version().versionVector()).isNotEqualTo(group.at(1, "").version().versionVector());
    }

    @Test
    void fileRemovedOnOneSideAndChangedOnTheOtherIsARemoveUpdateConflict() {
        Fid f = create(BOTH, root, "f");
        partition();
        group.run(A, new Remove(root, "f"));
        group.store(B, f, UUID.randomUUID(), 3);

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.REMOVE_UPDATE);
            assertThat(c.objects()).contains(f);
        });
        assertThat(group.at(0, "f")).isNull();
        assertThat(group.at(1, "f")).isNotNull(); // the changed copy is not lost
    }

    @Test
    void directoryRemovedOnOneSideWhileTheOtherCreatedInItIsARemoveUpdateConflict() {
        Fid d = mkdir(BOTH, root, "d");
        partition();
        group.run(A, new RmDir(root, "d"));
        Fid g = create(B, d, "g");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.REMOVE_UPDATE);
            assertThat(c.objects()).contains(d, g);
            assertThat(c.paths()).contains("/d");
        });
        assertThat(group.at(0, "d")).isNull();
        assertThat(group.at(1, "d/g")).isNotNull();
    }

    @Test
    void renameOfAnObjectTheOtherSideLeftAloneMerges() {
        Fid d1 = mkdir(BOTH, root, "d1");
        mkdir(BOTH, root, "d2");
        Fid f = create(BOTH, d1, "f");
        partition();
        group.run(A, new Rename(d1, "f", group.fid(0, "d2"), "g"));
        create(B, d1, "new");

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(group.fid(1, "d2/g")).isEqualTo(f);
        assertThat(group.at(1, "d1/f")).isNull();
        assertSameTrees(List.of());
    }

    @Test
    void renameOnOneSideAndStoreOnTheOtherBothTakeEffect() {
        Fid f = create(BOTH, root, "f");
        partition();
        group.run(A, new Rename(root, "f", root, "renamed"));
        UUID blob = UUID.randomUUID();
        group.store(B, f, blob, 7);

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(group.at(0, "renamed").blobId()).isEqualTo(blob);
        assertThat(group.at(1, "renamed").blobId()).isEqualTo(blob);
        assertSameTrees(List.of());
        assertThat(vector(0, "renamed")).isEqualTo(vector(1, "renamed"));
    }

    @Test
    void oneNameRenamedDifferentlyOnBothSidesIsARenameRenameConflict() {
        Fid f = create(BOTH, root, "f");
        partition();
        group.run(A, new Rename(root, "f", root, "a"));
        group.run(B, new Rename(root, "f", root, "b"));

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.RENAME_RENAME);
            assertThat(c.objects()).contains(f);
        });
        assertThat(group.fid(0, "a")).isEqualTo(f);
        assertThat(group.fid(1, "b")).isEqualTo(f);
        assertSameTrees(plan.conflicts());
    }

    @Test
    void directoriesMovedIntoEachOtherOnTheTwoSidesAreHeldBackNotLooped() {
        Fid p = mkdir(BOTH, root, "p");
        Fid q = mkdir(BOTH, root, "q");
        partition();
        group.run(A, new Rename(root, "p", q, "p"));
        group.run(B, new Rename(root, "q", p, "q"));

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.kind()).isEqualTo(Conflict.Kind.REPLAY_REFUSED));
        assertThat(group.fid(0, "q/p")).isEqualTo(p);
        assertThat(group.fid(1, "p/q")).isEqualTo(q);
    }

    @Test
    void sameNameRemovedOnBothSidesIsSimplyGone() {
        create(BOTH, root, "f");
        partition();
        group.run(A, new Remove(root, "f"));
        group.run(B, new Remove(root, "f"));

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(group.at(0, "f")).isNull();
        assertThat(group.at(1, "f")).isNull();
        assertThat(vector(0, "")).isEqualTo(vector(1, ""));
    }

    @Test
    void eachSideUnlinkingOneOfTwoNamesOfAFileTheOtherChangedKeepsTheFile() {
        Fid f = create(BOTH, root, "one");
        group.run(BOTH, new Link(root, "two", f));
        partition();
        group.run(A, new Remove(root, "one"));
        group.run(B, new Remove(root, "two"));
        UUID blob = UUID.randomUUID();
        group.store(B, f, blob, 4);

        ResolutionPlan.Planned plan = resolve();

        // merged, the two unlinks would remove the file and the store with it: held back instead
        assertThat(plan.conflicts()).isNotEmpty().allSatisfy(c -> assertThat(c.objects()).contains(f));
        assertThat(group.fid(0, "two")).isEqualTo(f);
        assertThat(group.at(1, "one").blobId()).isEqualTo(blob);
    }

    @Test
    void replicasOutsideTheGroupOrGivenTwiceAreRefused() {
        ReplicaInput zero = new ReplicaInput(0, List.of(), false, List.of());
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> ResolutionPlanner.plan(7, 2, List.of(zero, zero)))
                .withMessageContaining("given twice");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> ResolutionPlanner.plan(7, 2, List.of(zero, new ReplicaInput(2, List.of(), false, List.of()))))
                .withMessageContaining("replica 2");
    }

    @Test
    void oneFidHandedOutOnBothSidesForDifferentObjectsIsReportedNotMerged() {
        group.recording = true; // no partition-safe allocation: both sides allocate the same next fid
        Fid onA = create(A, root, "a");
        Fid onB = create(B, root, "b");
        assertThat(onA).isEqualTo(onB);

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).anySatisfy(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.FID_REUSED);
            assertThat(c.objects()).contains(onA);
        });
        assertThat(group.at(0, "b")).isNull();
        assertThat(group.at(1, "a")).isNull();
    }

    @Test
    void overflowedLogNeedsAFullComparison() {
        partition();
        create(A, root, "f");
        List<ReplicaInput> inputs = group.inputs();
        ReplicaInput a = inputs.get(0);
        ResolutionPlan plan = ResolutionPlanner.plan(7, 2, List.of(
                new ReplicaInput(0, a.log(), true, a.images()), inputs.get(1)));

        assertThat(plan).isInstanceOf(ResolutionPlan.NeedsFullComparison.class);
    }

    @Test
    void differenceOlderThanEveryLogNeedsAFullComparison() {
        Fid f = create(BOTH, root, "f");
        group.store(A, f, UUID.randomUUID(), 1); // not logged: as if the logs had been cut
        group.store(B, f, UUID.randomUUID(), 2);
        group.recording = true;
        create(A, root, "g");
        List<ReplicaInput> named = group.inputs();
        List<ReplicaInput> withF = List.of(withImageOf(named.get(0), 0, f), withImageOf(named.get(1), 1, f));

        ResolutionPlan plan = ResolutionPlanner.plan(7, 2, withF);

        assertThat(plan).isInstanceOfSatisfying(ResolutionPlan.NeedsFullComparison.class,
                p -> assertThat(p.objects()).containsExactly(f));
    }

    @Test
    void fileDominatedOnOneReplicaWithoutALogTakesTheDominantCopy() {
        Fid f = create(BOTH, root, "f");
        UUID blob = UUID.randomUUID();
        group.store(A, f, blob, 1); // not logged: the short path needs no log
        List<ReplicaInput> inputs = List.of(withImageOf(group.inputs().get(0), 0, f),
                withImageOf(group.inputs().get(1), 1, f));

        ResolutionPlan.Planned plan = (ResolutionPlan.Planned) ResolutionPlanner.plan(7, 2, inputs);
        group.apply(plan);

        assertThat(group.at(1, "f").blobId()).isEqualTo(blob);
        assertThat(vector(1, "f")).isEqualTo(vector(0, "f"));
    }

    private ReplicaInput withImageOf(ReplicaInput input, int r, Fid fid) {
        var images = new java.util.ArrayList<>(input.images());
        images.addAll(VnodeImages.collect(group.replicas[r].volume, List.of(fid.vnode())));
        return new ReplicaInput(input.replica(), input.log(), false, images.stream().distinct().toList());
    }
}

package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** FULL COMPARISON's decisions, on hand-made images of two replicas (no log, no actor). */
class FullComparisonTest {

    private static final long VOLUME = 7;
    private static final long ROOT = Fid.ROOT_VNODE;

    private static VersionVector vv(long... counters) {
        return VersionVector.fromList(Arrays.stream(counters).boxed().toList());
    }

    private static VnodeRecord file(long vnode, long dataVersion, VersionVector vector, int mode) {
        return new VnodeRecord(vnode, 1, FileType.FILE, mode, "o", 0, 1, 1, 1, dataVersion, vector, null, 0, null,
                ROOT, List.of());
    }

    private static VnodeRecord dir(long vnode, long dataVersion, VersionVector vector, String... names) {
        List<EntryRecord> entries = new ArrayList<>();
        for (String name : names) {
            entries.add(new EntryRecord(name, vnodeOf(name), 1, FileType.FILE));
        }
        return new VnodeRecord(vnode, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, dataVersion, vector, null, 0,
                null, vnode, entries); // the root is its own parent
    }

    /** Names "f<n>" bind vnode 100+n. */
    private static long vnodeOf(String name) {
        return 100 + Long.parseLong(name.substring(1));
    }

    private static VnodeSync.Summary summary(VnodeRecord v) {
        return new VnodeSync.Summary(v.vnode(), v.unique(), v.dataVersion(), v.versionVector());
    }

    @Test
    void onlyObjectsWhoseVersionDiffersOrThatSomeReplicaLacksAreCompared() {
        VnodeRecord same = file(101, 1, vv(1, 1), 0644);
        List<VnodeSync.Summary> zero = List.of(summary(same), summary(file(102, 2, vv(2, 1), 0600)),
                summary(file(103, 1, vv(1, 0), 0644)));
        List<VnodeSync.Summary> one = List.of(summary(same), summary(file(102, 1, vv(1, 1), 0644)));
        assertThat(FullComparison.differing(List.of(zero, one))).containsExactly(102L, 103L);
    }

    @Test
    void aDominatingVersionIsTakenEverywhere() {
        VnodeRecord newer = file(101, 2, vv(2, 1), 0600);
        VnodeRecord older = file(101, 1, vv(1, 1), 0644);
        assertThat(newer.versionVector().compare(older.versionVector())).isEqualTo(VersionOrder.DOMINATES);
        VnodeRecord root = dir(ROOT, 1, vv(1, 1), "f1");
        ResolutionPlan.Planned plan = FullComparison.decide(VOLUME, List.of(101L),
                List.of(List.of(older, root), List.of(newer, root)));
        assertThat(plan.conflicts()).isEmpty();
        assertThat(plan.steps().get(1)).isEmpty();
        assertThat(plan.steps().get(0)).containsExactly(new PlanStep.Install(1, newer));
    }

    @Test
    void concurrentVersionsOfAFileAreAnUpdateUpdateConflictAndEachReplicaKeepsItsOwn() {
        VnodeRecord onZero = file(101, 2, vv(2, 1), 0600);
        VnodeRecord onOne = file(101, 2, vv(1, 2), 0640);
        ResolutionPlan.Planned plan = FullComparison.decide(VOLUME, List.of(101L),
                List.of(List.of(onZero), List.of(onOne)));
        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.UPDATE_UPDATE);
            assertThat(c.objects()).containsExactly(new Fid(VOLUME, 101, 1));
            assertThat(c.replicas()).containsExactlyInAnyOrder(0, 1);
        });
        assertThat(plan.steps().get(0)).isEmpty();
        assertThat(plan.steps().get(1)).isEmpty();
    }

    @Test
    void aDirectoryChangedOnBothSidesTakesTheNamesOfBothAndObjectsOnOneReplicaOnlyGoEverywhere() {
        VnodeRecord rootZero = dir(ROOT, 2, vv(2, 1), "f1", "f2");
        VnodeRecord rootOne = dir(ROOT, 2, vv(1, 2), "f1", "f3");
        VnodeRecord f1 = file(101, 1, vv(1, 1), 0644);
        VnodeRecord f2 = file(102, 1, vv(1, 0), 0644);
        VnodeRecord f3 = file(103, 1, vv(0, 1), 0644);
        ResolutionPlan.Planned plan = FullComparison.decide(VOLUME, List.of(ROOT, 102L, 103L),
                List.of(List.of(rootZero, f1, f2), List.of(rootOne, f1, f3)));
        assertThat(plan.conflicts()).isEmpty();
        VnodeRecord merged0 = installed(plan.steps().get(0), ROOT);
        VnodeRecord merged1 = installed(plan.steps().get(1), ROOT);
        assertThat(merged0).isEqualTo(merged1);
        assertThat(merged0.entries()).extracting(EntryRecord::name).containsExactly("f1", "f2", "f3");
        assertThat(merged0.versionVector()).isEqualTo(vv(3, 3));
        assertThat(merged0.versionVector().compare(rootZero.versionVector())).isEqualTo(VersionOrder.DOMINATES);
        assertThat(plan.steps().get(0)).contains(new PlanStep.Install(1, f3));
        assertThat(plan.steps().get(1)).contains(new PlanStep.Install(0, f2));
    }

    @Test
    void anObjectOnOneReplicaOnlyThatTheDominatingDirectoryNoLongerBindsIsDropped() {
        VnodeRecord removedOnZero = dir(ROOT, 2, vv(2, 1), "f1");
        VnodeRecord unchangedOnOne = dir(ROOT, 1, vv(1, 1), "f1", "f2");
        VnodeRecord f2 = file(102, 1, vv(1, 1), 0644);
        ResolutionPlan.Planned plan = FullComparison.decide(VOLUME, List.of(ROOT, 102L),
                List.of(List.of(removedOnZero), List.of(unchangedOnOne, f2)));
        assertThat(plan.conflicts()).isEmpty();
        assertThat(plan.steps().get(0)).isEmpty();
        assertThat(plan.steps().get(1)).containsExactly(new PlanStep.Install(0, removedOnZero),
                new PlanStep.Drop(new Fid(VOLUME, 102, 1)));
    }

    @Test
    void aDirectoryRemovedOnOneSideWhileNamesWereCreatedInItOnTheOtherIsARemoveUpdateConflict() {
        VnodeRecord rootZero = dir(ROOT, 2, vv(2, 1)); // removed "d" (vnode 150, so its name is "f50")
        VnodeRecord rootOne = dir(ROOT, 1, vv(1, 1), "f50");
        VnodeRecord d = new VnodeRecord(150, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, 2, vv(1, 2), null, 0, null,
                ROOT, List.of(new EntryRecord("f1", 101, 1, FileType.FILE)));
        VnodeRecord f1 = file(101, 1, vv(0, 1), 0644);
        ResolutionPlan.Planned plan = FullComparison.decide(VOLUME, List.of(ROOT, 101L, 150L),
                List.of(List.of(rootZero), List.of(rootOne, d, f1)));
        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.REMOVE_UPDATE);
            assertThat(c.objects()).containsExactly(new Fid(VOLUME, 150, 1));
        });
        assertThat(plan.steps().get(1)).containsExactly(new PlanStep.Install(0, rootZero));
        assertThat(plan.steps().get(0)).as("nothing under the directory in conflict is copied").isEmpty();
    }

    @Test
    void aNameBoundToDifferentObjectsIsANameConflictWhileTheOtherNamesMerge() {
        VnodeRecord rootZero = new VnodeRecord(ROOT, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, 2, vv(2, 1),
                null, 0, null, 0, List.of(new EntryRecord("f1", 101, 1, FileType.FILE),
                new EntryRecord("same", 200, 1, FileType.FILE)));
        VnodeRecord rootOne = new VnodeRecord(ROOT, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, 2, vv(1, 2),
                null, 0, null, 0, List.of(new EntryRecord("f2", 102, 1, FileType.FILE),
                new EntryRecord("same", 300, 1, FileType.FILE)));
        VnodeRecord f1 = file(101, 1, vv(1, 0), 0644);
        VnodeRecord f2 = file(102, 1, vv(0, 1), 0644);
        VnodeRecord a = file(200, 1, vv(1, 0), 0644);
        VnodeRecord b = file(300, 1, vv(0, 1), 0644);
        ResolutionPlan.Planned plan = FullComparison.decide(VOLUME, List.of(ROOT, 101L, 102L, 200L, 300L),
                List.of(List.of(rootZero, f1, a), List.of(rootOne, f2, b)));
        assertThat(plan.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Conflict.Kind.NAME_NAME);
            assertThat(c.names()).containsExactly(new Conflict.Name(new Fid(VOLUME, ROOT, 1), "same"));
        });
        VnodeRecord root0 = installed(plan.steps().get(0), ROOT);
        assertThat(root0.entries()).extracting(EntryRecord::name).containsExactly("f1", "f2", "same");
        assertThat(root0.entries()).filteredOn(e -> e.name().equals("same")).extracting(EntryRecord::vnode)
                .containsExactly(200L);
        assertThat(root0.versionVector()).as("unequal until repair").isEqualTo(vv(2, 1));
        assertThat(plan.steps().get(0)).contains(new PlanStep.Install(1, f2))
                .noneMatch(s -> s instanceof PlanStep.Install i && i.image().vnode() == 300);
    }

    private static VnodeRecord installed(List<PlanStep> steps, long vnode) {
        return steps.stream().filter(s -> s instanceof PlanStep.Install i && i.image().vnode() == vnode)
                .map(s -> ((PlanStep.Install) s).image()).findFirst().orElseThrow();
    }
}

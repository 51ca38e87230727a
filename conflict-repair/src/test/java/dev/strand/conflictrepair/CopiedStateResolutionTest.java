package dev.strand.conflictrepair;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.volume.Vnode;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica that holds some of the operations it did not log, as copies a catch-up installed (a catch-up that
 * completed while the others' logs kept their entries, or one cut short after an open round), then diverges.
 * Replaying those operations on it is refused by its state (the name exists already, or is gone already), yet
 * nothing conflicts: only one side performed them, and the copy is their result. Resolution counts such an
 * operation as held there, never as a {@link Conflict.Kind#REPLAY_REFUSED} conflict (PausedNodeIT's defect).
 */
class CopiedStateResolutionTest {

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

    Fid create(int[] side, Fid dir, String name) {
        return ((Attr) group.run(side, new Create(dir, name, 0644, true))).fid();
    }

    /** Replica 1 installs replica 0's copies of {@code vnodes} and drops {@code removed}, as a catch-up round does. */
    void copyToB(List<Fid> vnodes, List<Fid> removed) {
        Volume source = group.replicas[0].volume;
        List<VolumeSnapshot.VnodeRecord> records = new ArrayList<>();
        for (Fid fid : vnodes) {
            Vnode v = source.vnode(fid.vnode());
            records.add(v.toRecord(v.entryRecords()));
        }
        group.replicas[1].apply(new VolumeEvent.VnodesInstalled(0, records, List.of(),
                removed.stream().map(Fid::vnode).toList()));
    }

    ResolutionPlan.Planned resolve() {
        ResolutionPlan plan = group.plan();
        assertThat(plan).isInstanceOf(ResolutionPlan.Planned.class);
        ResolutionPlan.Planned planned = (ResolutionPlan.Planned) plan;
        group.apply(planned);
        return planned;
    }

    @Test
    void createsACompletedCatchUpCopiedWhileTheOthersKeptTheirEntriesAreNotConflicts() {
        group.recording = true;
        group.allocateFrom(B, 1_000);
        Fid a1 = create(A, root, "a1");
        Fid a2 = create(A, root, "a2");
        copyToB(List.of(root, a1, a2), List.of()); // B caught up: holds them, and its own log is emptied
        Volume source = group.replicas[0].volume;
        group.replicas[1].apply(new VolumeEvent.CaughtUp(1, source.versionVector(), 1_000, 1_000));
        group.logs.get(1).clear();
        create(B, root, "b-alone"); // then B diverges

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(group.tree(1, List.of())).isEqualTo(group.tree(0, List.of()));
        assertThat(group.tree(0, List.of())).containsKeys("/a1", "/a2", "/b-alone");
    }

    @Test
    void createsRemovalsAndRenamesAnInterruptedCatchUpCopiedAreNotConflicts() {
        Fid d = ((Attr) group.run(BOTH, new MkDir(root, "d", 0755))).fid();
        Fid x = create(BOTH, root, "x");
        Fid y = create(BOTH, root, "y");
        group.recording = true;
        group.allocateFrom(B, 1_000);
        Fid a1 = create(A, d, "a1");
        Fid a2 = create(A, d, "a2");
        group.run(A, new Remove(root, "x"));
        group.run(A, new Rename(root, "y", d, "y-moved"));
        // an open catch-up round copied the root (without x and y), d (with a1, a2 and y-moved), a1, a2 and y, and
        // dropped x; then it was cut short
        copyToB(List.of(root, d, a1, a2, y), List.of(x));
        create(B, root, "b-alone"); // and B diverges, its own log as it was

        ResolutionPlan.Planned plan = resolve();

        assertThat(plan.conflicts()).isEmpty();
        assertThat(group.tree(1, List.of())).isEqualTo(group.tree(0, List.of()));
        assertThat(group.tree(0, List.of())).containsKeys("/d/a1", "/d/a2", "/d/y-moved", "/b-alone")
                .doesNotContainKeys("/x", "/y");
    }
}

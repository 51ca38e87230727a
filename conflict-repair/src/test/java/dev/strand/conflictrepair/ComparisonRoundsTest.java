package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A FULL COMPARISON in ROUNDS: what each round decides, defers and keeps, on hand-made images of two replicas. */
class ComparisonRoundsTest {

    private static final long VOLUME = 7;
    private static final long ROOT = Fid.ROOT_VNODE;
    private static final long D = 2;

    private static VersionVector vv(long... counters) {
        return VersionVector.fromList(Arrays.stream(counters).boxed().toList());
    }

    private static VnodeRecord file(long vnode, long parent, int links) {
        return new VnodeRecord(vnode, 1, FileType.FILE, 0644, "o", 0, links, 1, 1, 1, vv(1, 0), null, 0, null,
                parent, List.of());
    }

    private static VnodeRecord dir(long vnode, long parent, VersionVector vector, long... children) {
        List<EntryRecord> entries = new ArrayList<>();
        for (long child : children) {
            entries.add(new EntryRecord("n" + child, child, 1, child == D || child >= 200 ? FileType.DIRECTORY
                    : FileType.FILE));
        }
        return new VnodeRecord(vnode, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, vector.get(0) + vector.get(1),
                vector, null, 0, null, vnode == ROOT ? ROOT : parent, entries);
    }

    private static final VnodeRecord ROOT_DIR = dir(ROOT, ROOT, vv(1, 1), D);

    /** Replica 0 created files 101..103 in directory D; replica 1 removed file 105 from it... on an older D. */
    private static final VnodeRecord D_ON_ZERO = dir(D, ROOT, vv(3, 1), 101, 102, 103);
    private static final VnodeRecord D_ON_ONE = dir(D, ROOT, vv(1, 1), 105);

    @Test
    void filesCreatedOnOneSideAreInstalledRoundByRoundOnceTheirDirectoryIsDecided() {
        // round 1 lists D and 101: D dominates from replica 0, and so 101 (under D) is installed on replica 1
        ComparisonRounds.Carried start = ComparisonRounds.Carried.start();
        List<Long> first = ComparisonRounds.candidates(List.of(D, 101L), start);
        List<List<VnodeRecord>> images = List.of(List.of(ROOT_DIR, D_ON_ZERO, file(101, D, 1)),
                List.of(ROOT_DIR, D_ON_ONE, file(105, D, 1)));
        ComparisonRounds.Split split = ComparisonRounds.split(first, 101, false, start, images);
        assertThat(split.decided()).containsExactly(D, 101L);
        assertThat(split.deferred()).isEmpty();
        ComparisonRounds.Round one = ComparisonRounds.decide(VOLUME, split, 101, images, List.of(List.of(), List.of()));
        assertThat(one.plan().steps().get(1)).containsExactlyInAnyOrder(new PlanStep.Install(0, D_ON_ZERO),
                new PlanStep.Install(0, file(101, D, 1)));
        assertThat(one.plan().steps().get(0)).isEmpty();
        assertThat(one.carried().position()).isEqualTo(101);

        // the last round lists 102, 103 and 105: their parent D is read again, as the replicas hold it now
        List<Long> last = ComparisonRounds.candidates(List.of(102L, 103L, 105L), one.carried());
        List<List<VnodeRecord>> rest = List.of(List.of(file(102, D, 1), file(103, D, 1)), List.of(file(105, D, 1)));
        ComparisonRounds.Split lastSplit = ComparisonRounds.split(last, Long.MAX_VALUE, true, one.carried(), rest);
        assertThat(lastSplit.decided()).containsExactly(102L, 103L, 105L);
        assertThat(lastSplit.parents()).containsExactly(D);
        ComparisonRounds.Round two = ComparisonRounds.decide(VOLUME, lastSplit, Long.MAX_VALUE, rest,
                List.of(List.of(ROOT_DIR, D_ON_ZERO), List.of(ROOT_DIR, D_ON_ZERO)));
        assertThat(two.plan().conflicts()).isEmpty();
        assertThat(two.plan().steps().get(1)).containsExactlyInAnyOrder(new PlanStep.Install(0, file(102, D, 1)),
                new PlanStep.Install(0, file(103, D, 1)), new PlanStep.Drop(new Fid(VOLUME, 105, 1)));
        assertThat(two.plan().steps().get(0)).isEmpty();
    }

    @Test
    void anObjectWhoseDirectoryIsNotListedYetIsDeferredAndDecidedInTheRoundThatListsIt() {
        // file 50, older than directory 200, was moved into it on replica 0 only (replica 1 lost it with its own D)
        VnodeRecord moved = file(50, 200, 1);
        VnodeRecord newDir = dir(200, ROOT, vv(1, 0), 50);
        VnodeRecord rootOnZero = dir(ROOT, ROOT, vv(2, 1), D, 200);
        ComparisonRounds.Carried start = ComparisonRounds.Carried.start();
        List<List<VnodeRecord>> images = List.of(List.of(ROOT_DIR, moved), List.of(ROOT_DIR));
        ComparisonRounds.Split split = ComparisonRounds.split(List.of(50L), 60, false, start, images);
        assertThat(split.decided()).isEmpty();
        assertThat(split.deferred()).containsExactly(50L);
        ComparisonRounds.Round one = ComparisonRounds.decide(VOLUME, split, 60, images, List.of(List.of(), List.of()));
        assertThat(one.plan().steps().values()).allMatch(List::isEmpty);
        assertThat(one.carried().deferred()).containsExactly(50L);

        List<Long> last = ComparisonRounds.candidates(List.of(ROOT, 200L), one.carried());
        assertThat(last).containsExactly(ROOT, 50L, 200L);
        List<List<VnodeRecord>> again = List.of(List.of(rootOnZero, moved, newDir), List.of(ROOT_DIR));
        ComparisonRounds.Split lastSplit = ComparisonRounds.split(last, Long.MAX_VALUE, true, one.carried(), again);
        ComparisonRounds.Round two = ComparisonRounds.decide(VOLUME, lastSplit, Long.MAX_VALUE, again,
                List.of(List.of(), List.of()));
        assertThat(two.plan().steps().get(1)).containsExactlyInAnyOrder(new PlanStep.Install(0, rootOnZero),
                new PlanStep.Install(0, moved), new PlanStep.Install(0, newDir));
        assertThat(two.carried().deferred()).isEmpty();
    }

    @Test
    void aParentDecidedInTheSameRoundMakesItsChildrenDecidableWhateverTheirOrder() {
        VnodeRecord child = file(50, 200, 1);
        VnodeRecord newDir = dir(200, ROOT, vv(1, 0), 50);
        List<List<VnodeRecord>> images = List.of(List.of(ROOT_DIR, child, newDir), List.of(ROOT_DIR));
        ComparisonRounds.Split split = ComparisonRounds.split(List.of(50L, 200L), 200, false,
                ComparisonRounds.Carried.start(), images);
        assertThat(split.decided()).containsExactly(50L, 200L);
        assertThat(split.deferred()).isEmpty();
    }

    @Test
    void whatIsUnderADirectoryLeftInConflictIsLeftAsItIsInLaterRoundsToo() {
        // directory 200 (holding 201, which holds 300) was removed on replica 1 and written in on replica 0
        VnodeRecord removedHere = dir(200, ROOT, vv(2, 0), 201);
        VnodeRecord sub = dir(201, 200, vv(1, 0), 300);
        VnodeRecord rootOnOne = dir(ROOT, ROOT, vv(1, 2), D);
        List<List<VnodeRecord>> images = List.of(List.of(ROOT_DIR, removedHere), List.of(rootOnOne));
        ComparisonRounds.Split split = ComparisonRounds.split(List.of(ROOT, 200L), 200, false,
                ComparisonRounds.Carried.start(), images);
        ComparisonRounds.Round one = ComparisonRounds.decide(VOLUME, split, 200, images, List.of(List.of(),
                List.of()));
        assertThat(one.plan().conflicts()).singleElement()
                .satisfies(c -> assertThat(c.kind()).isEqualTo(Conflict.Kind.REMOVE_UPDATE));
        assertThat(one.carried().kept()).contains(200L, 201L);

        List<List<VnodeRecord>> later = List.of(List.of(sub, file(300, 201, 1)), List.of());
        ComparisonRounds.Split lastSplit = ComparisonRounds.split(List.of(201L, 300L), Long.MAX_VALUE, true,
                one.carried(), later);
        assertThat(lastSplit.decided()).isEmpty();
        assertThat(lastSplit.kept()).contains(201L, 300L);
    }

    @Test
    void aHardLinkedFileOneSideLacksIsKeptNotDroppedWhenItsKnownDirectoryNoLongerNamesIt() {
        VnodeRecord linked = file(105, D, 2); // its other name is in a directory this round does not see
        List<List<VnodeRecord>> images = List.of(List.of(), List.of(linked));
        ComparisonRounds.Split split = ComparisonRounds.split(List.of(105L), Long.MAX_VALUE, true,
                ComparisonRounds.Carried.start(), images);
        ComparisonRounds.Round round = ComparisonRounds.decide(VOLUME, split, Long.MAX_VALUE, images,
                List.of(List.of(ROOT_DIR, D_ON_ZERO), List.of(ROOT_DIR, D_ON_ZERO)));
        assertThat(round.plan().steps().get(0)).containsExactly(new PlanStep.Install(1, linked));
        assertThat(round.plan().steps().get(1)).isEmpty();
    }

    @Test
    void whatRoundsCarryLeavesRoomForANewNumberOrTheComparisonStops() {
        ComparisonRounds.Carried carried = new ComparisonRounds.Carried(10, Set.of(1L, 2L), Set.of(3L));
        assertThat(ComparisonRounds.fits(carried, 4)).isTrue();
        assertThat(ComparisonRounds.fits(carried, 3)).isFalse();
    }
}

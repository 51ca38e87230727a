package dev.strand.conflictrepair;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Directory images larger than one message travel as pieces and are joined back whole. */
class VnodeImagesTest {

    private static final int PIECE_BYTES = 16 * 1024;

    @Test
    void aLargeDirectoryIsCutIntoPiecesThatJoinBackToItsWholeImage() {
        Group group = new Group(1);
        Fid big = ((Attr) group.run(Group.all(1), new MkDir(group.root(), "big", 0755))).fid();
        for (int i = 0; i < 2_000; i++) {
            group.run(Group.all(1), new Create(big, "a-rather-long-file-name-" + i, 0644, true));
        }
        var volume = group.replicas[0].volume;

        List<VnodeRecord> whole = VnodeImages.collect(volume, List.of(big.vnode()));
        List<VnodeRecord> pieces = VnodeImages.collectInPieces(volume, List.of(big.vnode()), PIECE_BYTES);

        assertThat(pieces.size()).isGreaterThan(whole.size());
        assertThat(pieces).allSatisfy(p -> assertThat(p.entries().stream()
                .mapToInt(e -> dev.strand.volume.VnodeSync.ENTRY_RECORD_BYTES
                        + dev.strand.volume.FrameBudget.text(e.name())).sum()).isLessThanOrEqualTo(PIECE_BYTES));
        assertThat(VnodeImages.joinPieces(pieces)).isEqualTo(whole);
    }

    @Test
    void anImageCutWithInPiecesJoinsBackToItself() {
        Group group = new Group(1);
        Fid big = ((Attr) group.run(Group.all(1), new MkDir(group.root(), "big", 0755))).fid();
        for (int i = 0; i < 1_000; i++) {
            group.run(Group.all(1), new Create(big, "name-" + i, 0644, true));
        }
        VnodeRecord image = group.replicas[0].volume.vnode(big.vnode()).toRecord(
                group.replicas[0].volume.vnode(big.vnode()).entryRecords());

        List<VnodeRecord> pieces = VnodeImages.inPieces(image, 4096);

        assertThat(pieces).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.vnode()).isEqualTo(big.vnode()));
        assertThat(VnodeImages.joinPieces(pieces)).containsExactly(image);
    }

    @Test
    void imagesOfDifferentVnodesAreNotJoined() {
        Group group = new Group(1);
        Fid a = ((Attr) group.run(Group.all(1), new MkDir(group.root(), "a", 0755))).fid();
        Fid b = ((Attr) group.run(Group.all(1), new MkDir(group.root(), "b", 0755))).fid();
        var volume = group.replicas[0].volume;
        List<VnodeRecord> images = VnodeImages.collect(volume, List.of(a.vnode(), b.vnode()));

        assertThat(VnodeImages.joinPieces(images)).isEqualTo(images);
    }

    @Test
    void anInstallOfALargeDirectoryTravelsInPiecesAndIsJoinedBackBeforeItIsPerformed() {
        Group group = new Group(1);
        Fid big = ((Attr) group.run(Group.all(1), new MkDir(group.root(), "big", 0755))).fid();
        for (int i = 0; i < 1_000; i++) {
            group.run(Group.all(1), new Create(big, "name-" + i, 0644, true));
        }
        var v = group.replicas[0].volume.vnode(big.vnode());
        List<PlanStep> steps = List.of(new PlanStep.Drop(new Fid(1, 77, 1)),
                new PlanStep.Install(0, v.toRecord(v.entryRecords())), new PlanStep.Drop(new Fid(1, 78, 1)));

        List<PlanStep> pieces = VnodeImages.installsInPieces(steps, 4096);

        assertThat(pieces).hasSizeGreaterThan(steps.size());
        assertThat(VnodeImages.joinInstallPieces(pieces)).isEqualTo(steps);
    }
}

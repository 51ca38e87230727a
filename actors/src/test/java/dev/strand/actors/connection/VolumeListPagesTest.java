package dev.strand.actors.connection;

import dev.strand.volume.FrameBudget;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.VolumeListReply;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cutting of VOLUME_LIST pages: never more than asked, never more than one reply frame holds. */
class VolumeListPagesTest {

    /** The largest record a volume can have: a 64-character name, "majority", the largest numbers. */
    private static VolumeRegistry.VolumeRecord largest(int i) {
        String name = ("v%05d".formatted(i) + "x".repeat(64)).substring(0, 64);
        return new VolumeRegistry.VolumeRecord(Long.MAX_VALUE - i, name, Integer.MAX_VALUE, Long.MAX_VALUE,
                List.of(), "majority");
    }

    private static VolumeListReply cut(List<VolumeRegistry.VolumeRecord> page, boolean last, int size) {
        return VolumeListPages.cut(page, last, size, v -> VolumeRequests.volumeInfo(v, null));
    }

    @Test
    void theEstimateBoundsAListedVolumesRealSize() {
        VolumeRegistry.VolumeRecord v = largest(0);
        int encoded = WireCodec.encode(VolumeRequests.volumeInfo(v, null)).length;
        assertThat(encoded).isLessThanOrEqualTo(VolumeListPages.cost(v));
        assertThat(encoded - FrameBudget.text(v.name()) - FrameBudget.text("majority"))
                .isLessThanOrEqualTo(VolumeListPages.INFO_BYTES);
    }

    @Test
    void aFullPageOfTheLargestVolumesFitsOneReplyFrame() {
        List<VolumeRegistry.VolumeRecord> many = IntStream.range(0, 3 * VolumeListPages.MAX_PAGE)
                .mapToObj(VolumeListPagesTest::largest).toList();
        VolumeListReply page = cut(many, true, VolumeListPages.pageSize(Integer.MAX_VALUE));
        assertThat(page.volumes()).hasSize(VolumeListPages.MAX_PAGE);
        assertThat(page.more()).isTrue();
        assertThat(WireCodec.encode(page).length).isLessThanOrEqualTo(ProtocolLimits.MAX_BODY_LENGTH);
    }

    @Test
    void recordsLargerThanAnyVolumeNameStillCutAtTheFrameBudget() {
        // names no volume can have today: the cut holds whatever the registry's records are
        List<VolumeRegistry.VolumeRecord> huge = IntStream.range(0, 200).mapToObj(i -> new VolumeRegistry.VolumeRecord(
                i, "%03d".formatted(i) + "n".repeat(20_000), 1, 0, List.of(), null)).toList();
        VolumeListReply page = cut(huge, true, VolumeListPages.pageSize(0));
        assertThat(page.volumes()).isNotEmpty().hasSizeLessThan(200);
        assertThat(page.more()).isTrue();
        assertThat(WireCodec.encode(page).length).isLessThanOrEqualTo(ProtocolLimits.MAX_BODY_LENGTH);
    }

    @Test
    void moreSaysWhetherVolumesFollow() {
        List<VolumeRegistry.VolumeRecord> five = IntStream.range(0, 5).mapToObj(VolumeListPagesTest::largest).toList();
        assertThat(cut(five, true, 5).more()).as("all of the last registry page").isFalse();
        assertThat(cut(five, true, 4).more()).as("cut by the limit").isTrue();
        assertThat(cut(five, false, 5).more()).as("the registry has more pages").isTrue();
        assertThat(cut(Collections.emptyList(), true, 5).more()).isFalse();
    }

    @Test
    void theLimitIsTheServersPageSizeWhenZeroCappedAndNeverNegative() {
        assertThat(VolumeListPages.pageSize(0)).isEqualTo(VolumeListPages.MAX_PAGE);
        assertThat(VolumeListPages.pageSize(7)).isEqualTo(7);
        assertThat(VolumeListPages.pageSize(Integer.MAX_VALUE)).isEqualTo(VolumeListPages.MAX_PAGE);
        assertThatThrownBy(() -> VolumeListPages.pageSize(-1)).isInstanceOf(BadRequestException.class);
    }
}

package dev.strand.actors.registry;

import dev.strand.actors.FrameSizes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry's volume list goes between nodes in pages that each fit one frame, however many volumes there are. */
class VolumesPageTest {

    private static FrameSizes frames;

    @BeforeAll
    static void start() {
        frames = new FrameSizes();
    }

    @AfterAll
    static void stop() throws Exception {
        frames.close();
    }

    /** A record as large as a volume's can be: a name of 64 characters, five replicas. */
    private static VolumeRegistry.VolumeRecord largest(int i) {
        String name = String.format("v%05d", i) + "x".repeat(58);
        List<String> replicas = new ArrayList<>();
        for (int r = 0; r < VolumeRegistry.MAX_REPLICAS; r++) {
            replicas.add(Long.MAX_VALUE + "." + r);
        }
        return new VolumeRegistry.VolumeRecord(Long.MAX_VALUE - i, name, VolumeRegistry.MAX_REPLICAS, Long.MAX_VALUE,
                replicas, MinReplicas.MAJORITY);
    }

    @Test
    void tenThousandVolumesAreListedInPagesThatEachFitAFrameAndTogetherHoldEveryVolumeInNameOrder() {
        List<VolumeRegistry.VolumeRecord> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            all.add(largest(i));
        }
        assertThat(frames.bytes(new VolumeRegistry.Result.Volumes(all)))
                .as("the whole list in one message (what the previous release sent) does not fit")
                .isGreaterThan(frames.budget.frameSize());

        List<VolumeRegistry.VolumeRecord> listed = new ArrayList<>();
        String after = null;
        while (true) {
            VolumesPage page = VolumesPage.after(all, after, frames.budget.pageBytes());
            frames.assertFits(new VolumeRegistry.Result.VolumesPage(page.volumes(), page.last()));
            listed.addAll(page.volumes());
            if (page.last()) {
                break;
            }
            after = page.volumes().get(page.volumes().size() - 1).name();
        }
        assertThat(listed).isEqualTo(all);
    }

    @Test
    void theCostOfAVolumeRecordBoundsItsSerialisedSize() {
        VolumeRegistry.VolumeRecord record = largest(1);
        int copies = 100;
        int added = frames.bytes(new VolumeRegistry.Result.VolumesPage(Collections.nCopies(copies, record), false))
                - frames.bytes(new VolumeRegistry.Result.VolumesPage(List.of(), false));
        assertThat(added).isLessThanOrEqualTo(copies * VolumesPage.cost(record));
    }
}

package dev.strand.volume;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.SetAttr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catch-up exchange on two volumes driven without Pekko: a source and a target that made the same changes
 * until the target stopped; what the target is told it lacks, and that installing it makes the two equal.
 */
class VnodeSyncTest {

    private final ModelVolume source = new ModelVolume();
    private final ModelVolume target = new ModelVolume();

    /** Both make the same changes (same fids, same times): the replicas in step. */
    private Attr both(java.util.function.Function<ModelVolume, Attr> change) {
        Attr onTarget = change.apply(target);
        Attr onSource = change.apply(source);
        assertThat(onTarget.fid()).isEqualTo(onSource.fid());
        return onSource;
    }

    /** The whole exchange, in pages of {@code page} versions, applied to the target. */
    private void catchUp(int page) {
        long after = 0;
        while (true) {
            List<VnodeSync.Summary> summaries = VnodeSync.summaries(source.volume, after, page);
            boolean last = summaries.size() < page
                    || !source.volume.vnodesAfter(summaries.get(summaries.size() - 1).vnode()).hasNext();
            VnodeSync.Differences differences = VnodeSync.compare(target.volume, after, summaries, last);
            List<Long> wanted = new ArrayList<>(differences.wanted());
            target.volume.apply(new VolumeEvent.VnodesInstalled(1, List.of(), List.of(), differences.extra()));
            while (!wanted.isEmpty()) {
                VnodeSync.Images images = VnodeSync.images(source.volume, wanted);
                target.volume.apply(new VolumeEvent.VnodesInstalled(1, images.images(), images.incomplete(),
                        images.missing()));
                for (Long dir : images.incomplete()) {
                    VolumeSnapshot.VnodeRecord image = images.images().stream().filter(i -> i.vnode() == dir)
                            .findFirst().orElseThrow();
                    String lastName = image.entries().get(image.entries().size() - 1).name();
                    VnodeSync.Entries rest;
                    do {
                        rest = VnodeSync.entries(source.volume.vnode(dir), lastName, VnodeSync.BYTE_BUDGET);
                        target.volume.apply(new VolumeEvent.EntriesInstalled(1, dir, rest.entries(),
                                rest.last() ? source.volume.vnode(dir).version() : null));
                        lastName = rest.entries().get(rest.entries().size() - 1).name();
                    } while (!rest.last());
                }
                images.images().forEach(i -> wanted.remove(i.vnode()));
                wanted.removeAll(images.missing());
            }
            if (last) {
                return;
            }
            after = summaries.get(summaries.size() - 1).vnode();
        }
    }

    @Test
    void aTargetThatMissedChangesIsToldExactlyWhichVnodesDiffer() {
        Attr dir = both(v -> v.dir(v.root(), "d"));
        Attr a = both(v -> v.file(dir.fid(), "a"));
        Attr b = both(v -> v.file(dir.fid(), "b"));
        // the target misses these
        Attr c = source.file(dir.fid(), "c");
        source.execute(new Remove(dir.fid(), "a"));
        source.execute(new SetAttr(b.fid(), 0600, null, null));

        VnodeSync.Differences differences = VnodeSync.compare(target.volume, 0,
                VnodeSync.summaries(source.volume, 0, VnodeSync.SUMMARY_PAGE), true);

        assertThat(differences.wanted()).containsExactly(dir.fid().vnode(), b.fid().vnode(), c.fid().vnode());
        assertThat(differences.extra()).containsExactly(a.fid().vnode());
    }

    @Test
    void afterInstallingWhatDiffersTheTargetEqualsTheSource() {
        Attr dir = both(v -> v.dir(v.root(), "d"));
        both(v -> v.file(dir.fid(), "a"));
        Attr b = both(v -> v.file(dir.fid(), "b"));
        Attr sub = source.dir(source.root(), "sub");
        source.file(sub.fid(), "c");
        source.execute(new Remove(dir.fid(), "a"));
        source.execute(new SetAttr(b.fid(), 0600, null, null));

        catchUp(2); // pages of two versions: the range logic across page borders

        assertThat(target.volume.toSnapshot().vnodes()).isEqualTo(source.volume.toSnapshot().vnodes());
        assertThat(target.names(dir.fid())).containsExactly("b");
        assertThat(target.volume.files()).isEqualTo(source.volume.files());
        assertThat(VnodeSync.same(VnodeSync.compare(target.volume, 0,
                VnodeSync.summaries(source.volume, 0, VnodeSync.SUMMARY_PAGE), true))).isTrue();
    }

    @Test
    void aVnodeTheTargetHasBeyondTheSourcesLastIsExtra() {
        both(v -> v.file(v.root(), "a"));
        Attr onlyOnTarget = target.file(target.root(), "z");

        VnodeSync.Differences differences = VnodeSync.compare(target.volume, 0,
                VnodeSync.summaries(source.volume, 0, VnodeSync.SUMMARY_PAGE), true);

        assertThat(differences.extra()).containsExactly(onlyOnTarget.fid().vnode());
    }

    @Test
    void aLargeDirectoryComesCutAndItsRestInSlices() {
        Attr big = source.dir(source.root(), "big");
        String longName = "n".repeat(200);
        for (int i = 0; i < 1000; i++) { // about 230 KB of entries
            source.file(big.fid(), longName + i);
        }

        VnodeSync.Images images = VnodeSync.images(source.volume, List.of(big.fid().vnode()));
        assertThat(images.incomplete()).containsExactly(big.fid().vnode());
        assertThat(images.images().get(0).entries()).hasSizeLessThan(1000).isNotEmpty();

        catchUp(VnodeSync.SUMMARY_PAGE);
        assertThat(target.names(big.fid())).hasSize(1000);
        assertThat(target.attr(big.fid()).dataVersion()).isEqualTo(source.attr(big.fid()).dataVersion());
    }

    @Test
    void aDirectoryLeftIncompleteDiffersFromItsSource() {
        Attr big = source.dir(source.root(), "big");
        for (int i = 0; i < 1000; i++) {
            source.file(big.fid(), "n".repeat(200) + i);
        }
        VnodeSync.Images images = VnodeSync.images(source.volume, List.of(big.fid().vnode()));
        // only the first slice arrives: the catch-up was interrupted
        target.volume.apply(new VolumeEvent.VnodesInstalled(1, images.images(), images.incomplete(), List.of()));

        VnodeSync.Differences differences = VnodeSync.compare(target.volume, 0,
                VnodeSync.summaries(source.volume, 0, VnodeSync.SUMMARY_PAGE), true);

        assertThat(differences.wanted()).as("the next round copies it again").contains(big.fid().vnode());
    }
}

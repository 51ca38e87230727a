package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Equal values a volume holds per vnode are one instance (heap per file, see VolumeHeapBench), in a volume built by
 * its events and in one loaded from its snapshot alike; the values themselves are what they were.
 */
class SharedValuesTest {

    @Test
    void equalVectorsOwnersAndEntriesAreOneInstance() {
        ModelVolume model = new ModelVolume(0, 3, "client-1");
        Fid dir = model.dir(model.root(), "d").fid();
        Fid a = model.file(dir, "a").fid();
        model.apply(new VolumeEvent.Cop2Applied(model.lastOpId(), List.of(1, 2), List.of(dir.vnode(), a.vnode())));
        Fid b = model.file(dir, "b").fid();
        model.apply(new VolumeEvent.Cop2Applied(model.lastOpId(), List.of(1, 2), List.of(b.vnode())));

        for (Volume volume : List.of(model.volume, Volume.fromSnapshot(model.volume.toSnapshot()))) {
            Vnode first = volume.resolve(a);
            Vnode second = volume.resolve(b);
            assertThat(second.version().versionVector()).isEqualTo(first.version().versionVector())
                    .isSameAs(first.version().versionVector());
            assertThat(second.owner()).isEqualTo("anonymous").isSameAs(first.owner());
            Vnode directory = volume.resolve(dir);
            assertThat(directory.entry("a")).isEqualTo(new DirectoryEntry(a.vnode(), a.unique(), first.type()))
                    .isSameAs(first.asEntry());
            assertThat(directory.entry("b")).isSameAs(second.asEntry());
        }
        assertThat(Volume.fromSnapshot(model.volume.toSnapshot()).toSnapshot()).isEqualTo(model.volume.toSnapshot());
    }
}

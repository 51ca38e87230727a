package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.SetAttr;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class VolumeSnapshotTest {

    private final ModelVolume model = new ModelVolume();

    private void populate() {
        Fid dir = model.dir(model.root(), "d").fid();
        Fid file = model.file(dir, "f").fid();
        model.commitStore(file, UUID.randomUUID(), 300);
        model.execute(new SetAttr(file, 0600, 200L, null));
        model.execute(new Link(model.root(), "f-link", file));
        model.symlink(dir, "l", "../f-link");
    }

    @Test
    void aVolumeRestoredFromItsSnapshotIsTheSameVolume() {
        populate();

        Volume restored = Volume.fromSnapshot(model.volume.toSnapshot());

        assertThat(restored.toSnapshot()).isEqualTo(model.volume.toSnapshot());
        assertThat(restored.files()).isEqualTo(model.volume.files());
        assertThat(restored.directories()).isEqualTo(model.volume.directories());
        assertThat(restored.symlinks()).isEqualTo(model.volume.symlinks());
        assertThat(restored.bytes()).isEqualTo(model.volume.bytes());
        assertThat(restored.nextFid()).isEqualTo(model.volume.nextFid());
    }

    @Test
    void aRestoredVolumeStillKnowsWhichBlobsAreReferenced() {
        Fid file = model.file(model.root(), "f").fid();
        UUID blob = UUID.randomUUID();
        model.commitStore(file, blob, 10);

        Volume restored = Volume.fromSnapshot(model.volume.toSnapshot());

        assertThat(restored.referencesBlob(blob)).isTrue();
    }

    @Test
    void aSnapshotDoesNotChangeWhenTheVolumeChangesAfterwards() {
        populate();
        VolumeSnapshot snapshot = model.volume.toSnapshot();
        VolumeSnapshot copy = Volume.fromSnapshot(snapshot).toSnapshot();

        model.file(model.root(), "later");
        model.execute(new SetAttr(model.root(), 0700, null, null));

        assertThat(snapshot).isEqualTo(copy);
    }
}

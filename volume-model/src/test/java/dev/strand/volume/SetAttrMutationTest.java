package dev.strand.volume;

import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.FileTooLargeException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.SetAttr;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SetAttrMutationTest {

    private final ModelVolume model = new ModelVolume();

    private Fid storedFile(long length) {
        Fid file = model.file(model.root(), "f").fid();
        model.commitStore(file, UUID.randomUUID(), length);
        return file;
    }

    @Test
    void setsThePermissionBits() {
        Fid file = model.file(model.root(), "f").fid();

        Attr attr = (Attr) model.execute(new SetAttr(file, 0600, null, null));

        assertThat(attr.mode()).isEqualTo(0600);
        assertThat(attr.ctimeMillis()).isEqualTo(model.now());
    }

    @Test
    void shrinkingCutsTheStoredContents() {
        Fid file = storedFile(100);

        Attr attr = (Attr) model.execute(new SetAttr(file, null, 40L, null));

        assertThat(attr.size()).isEqualTo(40);
        assertThat(model.volume.resolve(file).blobLength()).isEqualTo(40);
    }

    @Test
    void growingOnlyRaisesTheSizeAndTheRestReadsAsZeros() {
        Fid file = storedFile(100);
        model.execute(new SetAttr(file, null, 40L, null));

        Attr attr = (Attr) model.execute(new SetAttr(file, null, 1000L, null));

        assertThat(attr.size()).isEqualTo(1000);
        assertThat(model.volume.resolve(file).blobLength()).isEqualTo(40);
        assertThat(model.volume.bytes()).isEqualTo(1000);
    }

    @Test
    void truncatingToZeroFreesTheBlob() {
        Fid file = storedFile(100);
        UUID blob = model.volume.resolve(file).blobId();

        model.execute(new SetAttr(file, null, 0L, null));

        assertThat(model.lastEvent().freedBlob()).isEqualTo(blob);
        assertThat(model.volume.resolve(file).blobId()).isNull();
        assertThat(model.volume.referencesBlob(blob)).isFalse();
    }

    @Test
    void changingTheSizeSetsTheModificationTime() {
        Fid file = storedFile(100);

        Attr attr = (Attr) model.execute(new SetAttr(file, null, 10L, null));

        assertThat(attr.mtimeMillis()).isEqualTo(model.now());
    }

    @Test
    void anExplicitModificationTimeIsKept() {
        Fid file = model.file(model.root(), "f").fid();

        Attr attr = (Attr) model.execute(new SetAttr(file, null, null, 42L));

        assertThat(attr.mtimeMillis()).isEqualTo(42);
    }

    @Test
    void nothingToSetChangesNothing() {
        Attr file = model.file(model.root(), "f");
        int events = model.events.size();

        assertThat(model.execute(new SetAttr(file.fid(), null, null, null))).isEqualTo(file);
        assertThat(model.events).hasSize(events);
    }

    @Test
    void theSizeOfADirectoryCannotBeSet() {
        assertThatThrownBy(() -> model.execute(new SetAttr(model.root(), null, 0L, null)))
                .isInstanceOf(IsADirectoryException.class);
    }

    @Test
    void theSizeOfASymlinkCannotBeSet() {
        Fid link = model.symlink(model.root(), "l", "t").fid();

        assertThatThrownBy(() -> model.execute(new SetAttr(link, null, 0L, null)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aNegativeSizeIsInvalidArgument() {
        Fid file = model.file(model.root(), "f").fid();

        assertThatThrownBy(() -> model.execute(new SetAttr(file, null, -1L, null)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void modeBitsOutOfRangeAreInvalidArgument() {
        Fid file = model.file(model.root(), "f").fid();

        assertThatThrownBy(() -> model.execute(new SetAttr(file, 0100000, null, null)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aSizeBeyondTheLargestFileIsFileTooLargeAndNothingIsJournalled() {
        Fid file = model.file(model.root(), "f").fid();
        int events = model.events.size();

        assertThatThrownBy(() -> model.execute(new SetAttr(file, null, Long.MAX_VALUE, null)))
                .isInstanceOf(FileTooLargeException.class);
        assertThatThrownBy(() -> model.execute(new SetAttr(file, null, ProtocolLimits.MAX_FILE_SIZE + 1, null)))
                .isInstanceOf(FileTooLargeException.class);
        assertThat(model.events).hasSize(events);
        assertThat(((Attr) model.execute(new SetAttr(file, null, ProtocolLimits.MAX_FILE_SIZE, null))).size())
                .isEqualTo(ProtocolLimits.MAX_FILE_SIZE);
    }

    @Test
    void theVolumesByteCountCannotWrapEvenWithSizesJournalledBeforeTheLimit() {
        Fid a = model.file(model.root(), "a").fid();
        Fid b = model.file(model.root(), "b").fid();
        Origin origin = new Origin("old-client", 1, "anonymous", model.now());
        // events as a server without the size limit journalled them: replay must still count right
        model.volume.apply(new VolumeEvent.AttributesSet(origin, a, null, Long.MAX_VALUE, null,
                model.volume.nextVersion(model.volume.resolve(a)), null));
        model.volume.apply(new VolumeEvent.AttributesSet(origin, b, null, Long.MAX_VALUE, null,
                model.volume.nextVersion(model.volume.resolve(b)), null));

        assertThat(model.volume.bytes()).isEqualTo(Long.MAX_VALUE);

        model.volume.apply(new VolumeEvent.AttributesSet(origin, a, null, 0L, null,
                model.volume.nextVersion(model.volume.resolve(a)), null));
        assertThat(model.volume.bytes()).isEqualTo(Long.MAX_VALUE);
        model.volume.apply(new VolumeEvent.AttributesSet(origin, b, null, 7L, null,
                model.volume.nextVersion(model.volume.resolve(b)), null));
        assertThat(model.volume.bytes()).isEqualTo(7);
    }
}

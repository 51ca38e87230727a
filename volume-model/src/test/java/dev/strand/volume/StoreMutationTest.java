package dev.strand.volume;

import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.FileTooLargeException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void aStoredBlobBecomesTheFilesContents() {
        Attr before = model.file(model.root(), "f");
        UUID blob = UUID.randomUUID();

        Attr after = (Attr) model.commitStore(before.fid(), blob, 1234);

        assertThat(after.size()).isEqualTo(1234);
        assertThat(after.dataVersion()).isEqualTo(before.dataVersion() + 1);
        assertThat(after.mtimeMillis()).isEqualTo(model.now());
        Vnode file = model.volume.resolve(before.fid());
        assertThat(file.blobId()).isEqualTo(blob);
        assertThat(file.blobLength()).isEqualTo(1234);
        assertThat(model.volume.bytes()).isEqualTo(1234);
    }

    @Test
    void aNewStoreFreesTheBlobItReplaces() {
        Fid file = model.file(model.root(), "f").fid();
        UUID first = UUID.randomUUID();
        model.commitStore(file, first, 10);

        model.commitStore(file, UUID.randomUUID(), 20);

        assertThat(model.lastEvent().freedBlob()).isEqualTo(first);
        assertThat(model.volume.referencesBlob(first)).isFalse();
    }

    @Test
    void committingTheSameBlobAgainChangesNothing() {
        Fid file = model.file(model.root(), "f").fid();
        UUID blob = UUID.randomUUID();
        Attr stored = (Attr) model.commitStore(file, blob, 10);
        int events = model.events.size();

        assertThat(model.commitStore(file, blob, 10)).isEqualTo(stored);
        assertThat(model.events).hasSize(events);
    }

    @Test
    void aBlobOfAnotherFileIsRefused() {
        Fid a = model.file(model.root(), "a").fid();
        Fid b = model.file(model.root(), "b").fid();
        UUID blob = UUID.randomUUID();
        model.commitStore(a, blob, 10);

        assertThatThrownBy(() -> model.commitStore(b, blob, 10)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aDirectoryCannotBeStored() {
        assertThatThrownBy(() -> model.commitStore(model.root(), UUID.randomUUID(), 1))
                .isInstanceOf(IsADirectoryException.class);
    }

    @Test
    void aSymlinkCannotBeStored() {
        Fid link = model.symlink(model.root(), "l", "t").fid();

        assertThatThrownBy(() -> model.commitStore(link, UUID.randomUUID(), 1))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aNegativeLengthIsInvalidArgument() {
        Fid file = model.file(model.root(), "f").fid();

        assertThatThrownBy(() -> model.commitStore(file, UUID.randomUUID(), -1))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void contentsBeyondTheLargestFileAreNeverJournalled() {
        Fid file = model.file(model.root(), "f").fid();
        int events = model.events.size();

        assertThatThrownBy(() -> model.commitStore(file, UUID.randomUUID(), ProtocolLimits.MAX_FILE_SIZE + 1))
                .isInstanceOf(FileTooLargeException.class);
        assertThat(model.events).hasSize(events);
    }
}

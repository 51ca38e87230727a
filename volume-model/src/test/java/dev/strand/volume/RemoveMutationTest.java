package dev.strand.volume;

import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.Remove;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RemoveMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void removingTheOnlyNameDeletesTheFile() {
        Fid file = model.file(model.root(), "a").fid();

        model.execute(new Remove(model.root(), "a"));

        assertThat(model.names(model.root())).isEmpty();
        assertThat(model.volume.files()).isZero();
        assertThatThrownBy(() -> model.execute(new GetAttr(file))).isInstanceOf(StaleException.class);
    }

    @Test
    void removingTheLastNameFreesTheFilesBlob() {
        Fid file = model.file(model.root(), "a").fid();
        UUID blob = UUID.randomUUID();
        model.commitStore(file, blob, 10);

        model.execute(new Remove(model.root(), "a"));

        VolumeEvent.EntryRemoved event = (VolumeEvent.EntryRemoved) model.lastEvent();
        assertThat(event.lastLink()).isTrue();
        assertThat(event.freedBlob()).isEqualTo(blob);
        assertThat(model.volume.referencesBlob(blob)).isFalse();
        assertThat(model.volume.bytes()).isZero();
    }

    @Test
    void removingOneOfTwoNamesKeepsTheBlob() {
        Fid file = model.file(model.root(), "a").fid();
        UUID blob = UUID.randomUUID();
        model.commitStore(file, blob, 10);
        model.execute(new Link(model.root(), "b", file));

        model.execute(new Remove(model.root(), "a"));

        assertThat(model.lastEvent().freedBlob()).isNull();
        assertThat(model.volume.referencesBlob(blob)).isTrue();
    }

    @Test
    void aSymlinkIsRemovedLikeAFile() {
        model.symlink(model.root(), "l", "target");

        model.execute(new Remove(model.root(), "l"));

        assertThat(model.volume.symlinks()).isZero();
    }

    @Test
    void removingAMissingNameIsNotFoundNamingTheDirectory() {
        assertThatThrownBy(() -> model.execute(new Remove(model.root(), "x")))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no entry 'x' in directory " + model.root());
    }

    @Test
    void removingADirectoryIsIsADirectory() {
        model.dir(model.root(), "d");

        assertThatThrownBy(() -> model.execute(new Remove(model.root(), "d")))
                .isInstanceOf(IsADirectoryException.class);
    }
}

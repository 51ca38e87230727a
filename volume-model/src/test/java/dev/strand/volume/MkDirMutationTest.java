package dev.strand.volume;

import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.error.TooManyLinksException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.MkDir;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MkDirMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void aNewDirectoryIsEmptyWithTwoLinks() {
        Attr dir = model.dir(model.root(), "src");

        assertThat(dir.type()).isEqualTo(FileType.DIRECTORY);
        assertThat(dir.linkCount()).isEqualTo(2);
        assertThat(dir.mode()).isEqualTo(0755);
        assertThat(model.names(dir.fid())).isEmpty();
    }

    @Test
    void eachChildDirectoryAddsALinkToItsParent() {
        model.dir(model.root(), "a");
        model.dir(model.root(), "b");
        model.file(model.root(), "f");

        assertThat(model.attr(model.root()).linkCount()).isEqualTo(4);
    }

    @Test
    void aNewDirectoryIsCounted() {
        model.dir(model.root(), "a");

        assertThat(model.volume.directories()).isEqualTo(2);
    }

    @Test
    void mkdirOfAnExistingNameIsExists() {
        model.file(model.root(), "a");

        assertThatThrownBy(() -> model.execute(new MkDir(model.root(), "a", 0755)))
                .isInstanceOf(ExistsException.class);
    }

    @Test
    void mkdirInAMissingParentIsStale() {
        Fid missing = new Fid(ModelVolume.VOLUME_ID, 999, 999);

        assertThatThrownBy(() -> model.execute(new MkDir(missing, "a", 0755)))
                .isInstanceOf(StaleException.class);
    }

    @Test
    void aDirectoryWithTheMostSubdirectoriesRefusesAnother() {
        Fid parent = model.dir(model.root(), "p").fid();
        for (int i = 0; i < Vnode.MAX_LINK_COUNT - 2; i++) {
            model.dir(parent, "d" + i);
        }

        assertThatThrownBy(() -> model.execute(new MkDir(parent, "one-more", 0755)))
                .isInstanceOf(TooManyLinksException.class);
    }
}

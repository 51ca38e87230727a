package dev.strand.volume;

import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotEmptyException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.RmDir;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RmDirMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void rmdirRemovesAnEmptyDirectoryAndItsLinkToTheParent() {
        Fid dir = model.dir(model.root(), "d").fid();

        model.execute(new RmDir(model.root(), "d"));

        assertThat(model.names(model.root())).isEmpty();
        assertThat(model.attr(model.root()).linkCount()).isEqualTo(2);
        assertThat(model.volume.directories()).isEqualTo(1);
        assertThatThrownBy(() -> model.execute(new GetAttr(dir))).isInstanceOf(StaleException.class);
    }

    @Test
    void rmdirOfANonEmptyDirectoryIsNotEmpty() {
        Fid dir = model.dir(model.root(), "d").fid();
        model.file(dir, "f");

        assertThatThrownBy(() -> model.execute(new RmDir(model.root(), "d")))
                .isInstanceOf(NotEmptyException.class)
                .hasMessageContaining("'d'");
    }

    @Test
    void rmdirOfAFileIsNotADirectory() {
        model.file(model.root(), "f");

        assertThatThrownBy(() -> model.execute(new RmDir(model.root(), "f")))
                .isInstanceOf(NotADirectoryException.class);
    }

    @Test
    void rmdirOfAMissingNameIsNotFound() {
        assertThatThrownBy(() -> model.execute(new RmDir(model.root(), "d")))
                .isInstanceOf(NotFoundException.class);
    }
}

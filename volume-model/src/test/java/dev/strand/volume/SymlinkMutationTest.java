package dev.strand.volume;

import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NameTooLongException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.Symlink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SymlinkMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void aSymlinkKeepsItsTargetAndItsSizeIsTheTargetsLength() {
        Attr link = model.symlink(model.root(), "latest", "../releases/1.0");

        assertThat(link.type()).isEqualTo(FileType.SYMLINK);
        assertThat(link.size()).isEqualTo("../releases/1.0".length());
        assertThat(((ReadLinkReply) model.execute(new ReadLink(link.fid()))).target()).isEqualTo("../releases/1.0");
    }

    @Test
    void aDanglingTargetIsAllowed() {
        Attr link = model.symlink(model.root(), "l", "/nowhere/at/all");

        assertThat(model.volume.symlinks()).isEqualTo(1);
        assertThat(link.linkCount()).isEqualTo(1);
    }

    @Test
    void anEmptyTargetIsInvalidArgument() {
        assertThatThrownBy(() -> model.execute(new Symlink(model.root(), "l", "")))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aTargetWithNulIsInvalidArgument() {
        assertThatThrownBy(() -> model.execute(new Symlink(model.root(), "l", "a\0b")))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aTargetOver4095BytesIsTooLong() {
        assertThatThrownBy(() -> model.execute(new Symlink(model.root(), "l", "x".repeat(4096))))
                .isInstanceOf(NameTooLongException.class);
    }

    @Test
    void aSymlinkOverAnExistingNameIsExists() {
        model.file(model.root(), "l");

        assertThatThrownBy(() -> model.execute(new Symlink(model.root(), "l", "t")))
                .isInstanceOf(ExistsException.class);
    }
}

package dev.strand.volume;

import dev.strand.protocol.error.CrossVolumeException;
import dev.strand.protocol.error.InvalidMoveException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotEmptyException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RenameMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void renameWithinADirectoryChangesTheNameNotTheFile() {
        Fid file = model.file(model.root(), "old").fid();

        assertThat(model.execute(new Rename(model.root(), "old", model.root(), "new"))).isEqualTo(Empty.INSTANCE);

        assertThat(model.names(model.root())).containsExactly("new");
        assertThat(model.attr(file).linkCount()).isEqualTo(1);
    }

    @Test
    void renameMovesAFileToAnotherDirectory() {
        Fid file = model.file(model.root(), "f").fid();
        Fid dir = model.dir(model.root(), "d").fid();

        model.execute(new Rename(model.root(), "f", dir, "g"));

        assertThat(model.names(model.root())).containsExactly("d");
        assertThat(model.names(dir)).containsExactly("g");
        assertThat(((WalkReply) model.execute(new Walk(model.root(), List.of("d", "g")))).attr().fid()).isEqualTo(file);
    }

    @Test
    void renameGivesBothDirectoriesAndTheMovedFileNewVersions() {
        Attr file = model.file(model.root(), "f");
        Attr dir = model.dir(model.root(), "d");
        Attr root = model.attr(model.root());

        model.execute(new Rename(model.root(), "f", dir.fid(), "f"));

        assertThat(model.attr(model.root()).dataVersion()).isEqualTo(root.dataVersion() + 1);
        assertThat(model.attr(dir.fid()).dataVersion()).isEqualTo(dir.dataVersion() + 1);
        assertThat(model.attr(file.fid()).dataVersion()).isEqualTo(file.dataVersion() + 1);
    }

    @Test
    void renameOverAFileReplacesItAndFreesItsBlob() {
        model.file(model.root(), "a");
        Fid target = model.file(model.root(), "b").fid();
        UUID blob = UUID.randomUUID();
        model.commitStore(target, blob, 5);

        model.execute(new Rename(model.root(), "a", model.root(), "b"));

        assertThat(model.names(model.root())).containsExactly("b");
        assertThat(model.lastEvent().freedBlob()).isEqualTo(blob);
        assertThat(model.volume.files()).isEqualTo(1);
        assertThatThrownBy(() -> model.execute(new GetAttr(target))).isInstanceOf(StaleException.class);
    }

    @Test
    void renameOverAFileWithAnotherNameOnlyDropsOneLink() {
        model.file(model.root(), "a");
        Fid target = model.file(model.root(), "b").fid();
        model.execute(new Link(model.root(), "b2", target));

        model.execute(new Rename(model.root(), "a", model.root(), "b"));

        assertThat(model.attr(target).linkCount()).isEqualTo(1);
        assertThat(model.lastEvent().freedBlob()).isNull();
    }

    @Test
    void renameToTheSameNameIsASuccessfulNoOp() {
        model.file(model.root(), "a");
        int events = model.events.size();

        assertThat(model.execute(new Rename(model.root(), "a", model.root(), "a"))).isEqualTo(Empty.INSTANCE);

        assertThat(model.events).hasSize(events);
    }

    @Test
    void renameOntoAnotherNameOfTheSameFileIsASuccessfulNoOp() {
        Fid file = model.file(model.root(), "a").fid();
        model.execute(new Link(model.root(), "b", file));
        int events = model.events.size();

        model.execute(new Rename(model.root(), "a", model.root(), "b"));

        assertThat(model.events).hasSize(events);
        assertThat(model.names(model.root())).containsExactly("a", "b");
    }

    @Test
    void movingADirectoryMovesItsParentLinkAlong() {
        Fid from = model.dir(model.root(), "from").fid();
        Fid to = model.dir(model.root(), "to").fid();
        Fid moved = model.dir(from, "moved").fid();

        model.execute(new Rename(from, "moved", to, "moved"));

        assertThat(model.attr(from).linkCount()).isEqualTo(2);
        assertThat(model.attr(to).linkCount()).isEqualTo(3);
        WalkReply up = (WalkReply) model.execute(new Walk(moved, List.of("..")));
        assertThat(up.attr().fid()).isEqualTo(to);
    }

    @Test
    void aDirectoryMayReplaceAnEmptyDirectory() {
        Fid source = model.dir(model.root(), "a").fid();
        model.dir(model.root(), "b");

        model.execute(new Rename(model.root(), "a", model.root(), "b"));

        assertThat(model.names(model.root())).containsExactly("b");
        assertThat(model.attr(model.root()).linkCount()).isEqualTo(3);
        assertThat(model.volume.directories()).isEqualTo(2);
        assertThat(((WalkReply) model.execute(new Walk(model.root(), List.of("b")))).attr().fid()).isEqualTo(source);
    }

    @Test
    void aDirectoryMayNotReplaceANonEmptyDirectory() {
        model.dir(model.root(), "a");
        Fid b = model.dir(model.root(), "b").fid();
        model.file(b, "f");

        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "a", model.root(), "b")))
                .isInstanceOf(NotEmptyException.class);
    }

    @Test
    void aDirectoryMayNotReplaceAFile() {
        model.dir(model.root(), "a");
        model.file(model.root(), "b");

        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "a", model.root(), "b")))
                .isInstanceOf(NotADirectoryException.class);
    }

    @Test
    void aFileMayNotReplaceADirectory() {
        model.file(model.root(), "a");
        model.dir(model.root(), "b");

        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "a", model.root(), "b")))
                .isInstanceOf(IsADirectoryException.class);
    }

    @Test
    void aDirectoryMayNotMoveIntoItself() {
        Fid a = model.dir(model.root(), "a").fid();

        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "a", a, "a")))
                .isInstanceOf(InvalidMoveException.class);
    }

    @Test
    void aDirectoryMayNotMoveBelowItself() {
        Fid a = model.dir(model.root(), "a").fid();
        Fid b = model.dir(a, "b").fid();
        Fid c = model.dir(b, "c").fid();

        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "a", c, "a")))
                .isInstanceOf(InvalidMoveException.class)
                .hasMessageContaining("into itself or below itself");
    }

    @Test
    void renameOfAMissingNameIsNotFound() {
        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "x", model.root(), "y")))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no entry 'x' in directory " + model.root());
    }

    @Test
    void renameIntoAnotherVolumeIsCrossVolume() {
        model.file(model.root(), "a");

        assertThatThrownBy(() -> model.execute(
                new Rename(model.root(), "a", Fid.root(ModelVolume.VOLUME_ID + 1), "a")))
                .isInstanceOf(CrossVolumeException.class);
    }

    @Test
    void renameIntoAFileIsNotADirectory() {
        model.file(model.root(), "a");
        Fid file = model.file(model.root(), "f").fid();

        assertThatThrownBy(() -> model.execute(new Rename(model.root(), "a", file, "a")))
                .isInstanceOf(NotADirectoryException.class);
    }
}

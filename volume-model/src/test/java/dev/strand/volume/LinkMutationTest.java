package dev.strand.volume;

import dev.strand.protocol.error.CrossVolumeException;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.error.TooManyLinksException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Remove;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinkMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void aHardLinkIsAnotherNameForTheSameFile() {
        Fid file = model.file(model.root(), "a").fid();
        Fid dir = model.dir(model.root(), "d").fid();

        Attr linked = (Attr) model.execute(new Link(dir, "b", file));

        assertThat(linked.fid()).isEqualTo(file);
        assertThat(linked.linkCount()).isEqualTo(2);
        ReadDirReply listing = (ReadDirReply) model.execute(new ReadDir(dir, null, 10, false));
        assertThat(listing.entries()).singleElement().satisfies(e -> assertThat(e.fid()).isEqualTo(file));
    }

    @Test
    void linkingChangesTheTargetsVersion() {
        Attr before = model.file(model.root(), "a");

        Attr after = (Attr) model.execute(new Link(model.root(), "b", before.fid()));

        assertThat(after.dataVersion()).isEqualTo(before.dataVersion() + 1);
        assertThat(after.versionVector()).containsExactly(before.versionVector().get(0) + 1);
    }

    @Test
    void aFileWithTwoNamesSurvivesTheRemovalOfOne() {
        Fid file = model.file(model.root(), "a").fid();
        model.execute(new Link(model.root(), "b", file));

        model.execute(new Remove(model.root(), "a"));

        assertThat(model.attr(file).linkCount()).isEqualTo(1);
        assertThat(model.volume.files()).isEqualTo(1);
    }

    @Test
    void aHardLinkToADirectoryIsRefused() {
        Fid dir = model.dir(model.root(), "d").fid();

        assertThatThrownBy(() -> model.execute(new Link(model.root(), "d2", dir)))
                .isInstanceOf(IsADirectoryException.class)
                .hasMessageContaining("hard link to directory " + dir);
    }

    @Test
    void aHardLinkOverAnExistingNameIsExists() {
        Fid file = model.file(model.root(), "a").fid();
        model.file(model.root(), "b");

        assertThatThrownBy(() -> model.execute(new Link(model.root(), "b", file)))
                .isInstanceOf(ExistsException.class);
    }

    @Test
    void aHardLinkToAFileOfAnotherVolumeIsCrossVolume() {
        Fid foreign = new Fid(ModelVolume.VOLUME_ID + 1, 5, 5);

        assertThatThrownBy(() -> model.execute(new Link(model.root(), "b", foreign)))
                .isInstanceOf(CrossVolumeException.class);
    }

    @Test
    void aHardLinkToARemovedFileIsStale() {
        Fid file = model.file(model.root(), "a").fid();
        model.execute(new Remove(model.root(), "a"));

        assertThatThrownBy(() -> model.execute(new Link(model.root(), "b", file)))
                .isInstanceOf(StaleException.class);
    }

    @Test
    void aFileWithTheMostLinksRefusesAnother() {
        Fid file = model.file(model.root(), "f").fid();
        Fid dir = model.dir(model.root(), "links").fid();
        for (int i = 1; i < Vnode.MAX_LINK_COUNT; i++) {
            model.execute(new Link(dir, "l" + i, file));
        }

        assertThatThrownBy(() -> model.execute(new Link(dir, "one-more", file)))
                .isInstanceOf(TooManyLinksException.class)
                .hasMessageContaining(file.toString());
    }
}

package dev.strand.volume;

import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.RmDir;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CreateMutationTest {

    private final ModelVolume model = new ModelVolume();

    @Test
    void createsAnEmptyRegularFileUnderItsName() {
        Attr file = model.file(model.root(), "notes.txt");

        assertThat(file.type()).isEqualTo(FileType.FILE);
        assertThat(file.size()).isZero();
        assertThat(file.linkCount()).isEqualTo(1);
        assertThat(file.mode()).isEqualTo(0644);
        assertThat(file.owner()).isEqualTo("anonymous");
        assertThat(model.names(model.root())).containsExactly("notes.txt");
    }

    @Test
    void aNewFileStartsAtDataVersionOneWithThisReplicasSlotBumped() {
        Attr file = model.file(model.root(), "a");

        assertThat(file.dataVersion()).isEqualTo(1);
        assertThat(file.versionVector()).containsExactly(1L);
    }

    @Test
    void createGivesTheDirectoryANewVersionAndModificationTime() {
        Attr before = model.attr(model.root());

        model.file(model.root(), "a");

        Attr after = model.attr(model.root());
        assertThat(after.dataVersion()).isEqualTo(before.dataVersion() + 1);
        assertThat(after.versionVector()).containsExactly(before.versionVector().get(0) + 1);
        assertThat(after.mtimeMillis()).isEqualTo(model.now());
    }

    @Test
    void theEventRecordsTheRequestTheNameAndTheFids() {
        Attr file = model.file(model.root(), "a");

        VolumeEvent.FileCreated event = (VolumeEvent.FileCreated) model.lastEvent();
        assertThat(event.dir()).isEqualTo(model.root());
        assertThat(event.name()).isEqualTo("a");
        assertThat(event.file()).isEqualTo(file.fid());
        assertThat(event.origin().clientId()).isEqualTo("client-1");
        assertThat(event.origin().requestId()).isPositive();
    }

    @Test
    void eachNewFileGetsAFreshFid() {
        Fid a = model.file(model.root(), "a").fid();
        Fid b = model.file(model.root(), "b").fid();

        assertThat(b.vnode()).isNotEqualTo(a.vnode());
        assertThat(b.unique()).isNotEqualTo(a.unique());
        assertThat(a.volume()).isEqualTo(ModelVolume.VOLUME_ID);
    }

    @Test
    void exclusiveCreateOfAnExistingNameIsExists() {
        model.file(model.root(), "a");

        assertThatThrownBy(() -> model.execute(new Create(model.root(), "a", 0644, true)))
                .isInstanceOf(ExistsException.class)
                .hasMessageContaining("'a' already exists in directory " + model.root());
    }

    @Test
    void nonExclusiveCreateOfAnExistingFileAnswersItUnchanged() {
        Attr existing = model.file(model.root(), "a");
        int events = model.events.size();

        Attr again = (Attr) model.execute(new Create(model.root(), "a", 0600, false));

        assertThat(again).isEqualTo(existing);
        assertThat(model.events).hasSize(events);
    }

    @Test
    void nonExclusiveCreateOverADirectoryIsExists() {
        model.dir(model.root(), "d");

        assertThatThrownBy(() -> model.execute(new Create(model.root(), "d", 0644, false)))
                .isInstanceOf(ExistsException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void createInsideAFileIsNotADirectory() {
        Fid file = model.file(model.root(), "a").fid();

        assertThatThrownBy(() -> model.execute(new Create(file, "b", 0644, true)))
                .isInstanceOf(NotADirectoryException.class)
                .hasMessageContaining(file + " is not a directory");
    }

    @Test
    void createWithModeBitsOutOfRangeIsInvalidArgument() {
        assertThatThrownBy(() -> model.execute(new Create(model.root(), "a", 010000, true)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void createInARemovedDirectoryIsStale() {
        Fid dir = model.dir(model.root(), "d").fid();
        model.execute(new RmDir(model.root(), "d"));

        assertThatThrownBy(() -> model.execute(new Create(dir, "a", 0644, true)))
                .isInstanceOf(StaleException.class)
                .hasMessageContaining(dir.toString());
    }

    @Test
    void aFidWithTheWrongUniquifierIsStale() {
        Fid dir = model.dir(model.root(), "d").fid();
        Fid reused = new Fid(dir.volume(), dir.vnode(), dir.unique() + 1);

        assertThatThrownBy(() -> model.execute(new Create(reused, "a", 0644, true)))
                .isInstanceOf(StaleException.class);
    }

    @Test
    void aFidOfAnotherVolumeIsStale() {
        Fid elsewhere = Fid.root(ModelVolume.VOLUME_ID + 1);

        assertThatThrownBy(() -> model.execute(new Create(elsewhere, "a", 0644, true)))
                .isInstanceOf(StaleException.class)
                .hasMessageContaining("not in volume " + ModelVolume.VOLUME_ID);
    }

    @Test
    void createdFilesAreCountedInTheVolumesUsage() {
        model.file(model.root(), "a");
        model.file(model.root(), "b");

        assertThat(model.volume.files()).isEqualTo(2);
        assertThat(model.volume.directories()).isEqualTo(1);
    }

    @Test
    void everyCommittedChangeBumpsTheVolumesVersionVector() {
        long before = model.volume.versionVector().get(0);

        model.file(model.root(), "a");
        model.dir(model.root(), "d");

        assertThat(model.volume.versionVector().get(0)).isEqualTo(before + 2);
    }
}

package dev.strand.volume;

import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotASymlinkException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeReadsTest {

    private final ModelVolume model = new ModelVolume();

    private WalkReply walk(Fid start, String... names) {
        return (WalkReply) model.execute(new Walk(start, List.of(names)));
    }

    @Test
    void theRootIsADirectoryWithUniquifierOne() {
        assertThat(model.root()).isEqualTo(Fid.root(ModelVolume.VOLUME_ID));
        assertThat(model.attr(model.root()).type()).isEqualTo(FileType.DIRECTORY);
        assertThat(model.attr(model.root()).linkCount()).isEqualTo(2);
    }

    @Test
    void walkLooksUpEveryNameAndAnswersTheLast() {
        Fid a = model.dir(model.root(), "a").fid();
        Fid b = model.dir(a, "b").fid();
        Fid c = model.file(b, "c").fid();

        WalkReply reply = walk(model.root(), "a", "b", "c");

        assertThat(reply.consumed()).isEqualTo(3);
        assertThat(reply.attr().fid()).isEqualTo(c);
    }

    @Test
    void walkOfNoNamesAnswersTheStart() {
        WalkReply reply = walk(model.root());

        assertThat(reply.consumed()).isZero();
        assertThat(reply.attr().fid()).isEqualTo(model.root());
    }

    @Test
    void walkStopsAtASymlinkThatIsNotTheLastName() {
        Fid a = model.dir(model.root(), "a").fid();
        Fid link = model.symlink(a, "link", "/elsewhere").fid();

        WalkReply reply = walk(model.root(), "a", "link", "x", "y");

        assertThat(reply.consumed()).isEqualTo(2);
        assertThat(reply.attr().fid()).isEqualTo(link);
    }

    @Test
    void walkEndingAtASymlinkAnswersTheSymlink() {
        Fid link = model.symlink(model.root(), "link", "t").fid();

        WalkReply reply = walk(model.root(), "link");

        assertThat(reply.consumed()).isEqualTo(1);
        assertThat(reply.attr().fid()).isEqualTo(link);
    }

    @Test
    void walkOfAMissingNameIsNotFoundNamingTheDirectory() {
        Fid a = model.dir(model.root(), "a").fid();

        assertThatThrownBy(() -> walk(model.root(), "a", "missing"))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no entry 'missing' in directory " + a);
    }

    @Test
    void walkThroughAFileIsNotADirectory() {
        model.file(model.root(), "f");

        assertThatThrownBy(() -> walk(model.root(), "f", "x")).isInstanceOf(NotADirectoryException.class);
    }

    @Test
    void dotStaysAndDotDotGoesToTheParent() {
        Fid a = model.dir(model.root(), "a").fid();
        model.dir(a, "b");

        assertThat(walk(model.root(), "a", ".", "b", "..").attr().fid()).isEqualTo(a);
    }

    @Test
    void dotDotOfTheRootIsTheRoot() {
        assertThat(walk(model.root(), "..", "..").attr().fid()).isEqualTo(model.root());
    }

    @Test
    void walkFromAStaleFidIsStale() {
        assertThatThrownBy(() -> walk(new Fid(ModelVolume.VOLUME_ID, 99, 99), "a"))
                .isInstanceOf(StaleException.class);
    }

    @Test
    void readDirListsNamesInOrderWithFidsAndTypes() {
        Fid b = model.dir(model.root(), "b").fid();
        Fid a = model.file(model.root(), "a").fid();
        Fid c = model.symlink(model.root(), "c", "t").fid();

        ReadDirReply reply = (ReadDirReply) model.execute(new ReadDir(model.root(), null, 10, false));

        assertThat(reply.entries()).containsExactly(
                new DirEntry("a", a, FileType.FILE, null),
                new DirEntry("b", b, FileType.DIRECTORY, null),
                new DirEntry("c", c, FileType.SYMLINK, null));
        assertThat(reply.eof()).isTrue();
    }

    @Test
    void readDirPagesAfterTheLastNameSeen() {
        for (String name : List.of("a", "b", "c", "d", "e")) {
            model.file(model.root(), name);
        }

        ReadDirReply first = (ReadDirReply) model.execute(new ReadDir(model.root(), null, 2, false));
        ReadDirReply second = (ReadDirReply) model.execute(new ReadDir(model.root(), "b", 2, false));
        ReadDirReply last = (ReadDirReply) model.execute(new ReadDir(model.root(), "d", 2, false));

        assertThat(first.entries()).extracting(DirEntry::name).containsExactly("a", "b");
        assertThat(first.eof()).isFalse();
        assertThat(second.entries()).extracting(DirEntry::name).containsExactly("c", "d");
        assertThat(last.entries()).extracting(DirEntry::name).containsExactly("e");
        assertThat(last.eof()).isTrue();
    }

    @Test
    void readDirAfterANameThatIsGoneCarriesOnFromWhereItWould() {
        for (String name : List.of("a", "b", "c")) {
            model.file(model.root(), name);
        }

        ReadDirReply reply = (ReadDirReply) model.execute(new ReadDir(model.root(), "bb", 10, false));

        assertThat(reply.entries()).extracting(DirEntry::name).containsExactly("c");
    }

    @Test
    void readDirWithAttrsCarriesEachEntrysAttributes() {
        Fid a = model.file(model.root(), "a").fid();

        ReadDirReply reply = (ReadDirReply) model.execute(new ReadDir(model.root(), null, 10, true));

        assertThat(reply.entries().get(0).attr()).isEqualTo(model.attr(a));
    }

    @Test
    void readDirReturnsAtMostTheProtocolsMaximum() {
        for (int i = 0; i < ProtocolLimits.MAX_READDIR_ENTRIES + 5; i++) {
            model.file(model.root(), "f" + i);
        }

        ReadDirReply reply = (ReadDirReply) model.execute(new ReadDir(model.root(), null, 100_000, false));

        assertThat(reply.entries()).hasSize(ProtocolLimits.MAX_READDIR_ENTRIES);
        assertThat(reply.eof()).isFalse();
    }

    @Test
    void readDirOfAFileIsNotADirectory() {
        Fid f = model.file(model.root(), "f").fid();

        assertThatThrownBy(() -> model.execute(new ReadDir(f, null, 10, false)))
                .isInstanceOf(NotADirectoryException.class);
    }

    @Test
    void readLinkOfAFileIsNotASymlink() {
        Fid f = model.file(model.root(), "f").fid();

        assertThatThrownBy(() -> model.execute(new ReadLink(f))).isInstanceOf(NotASymlinkException.class);
    }

    @Test
    void getAttrOfAStaleFidIsStale() {
        assertThatThrownBy(() -> model.execute(new GetAttr(new Fid(ModelVolume.VOLUME_ID, 5, 5))))
                .isInstanceOf(StaleException.class);
    }

    @Test
    void aRequestThatIsNeitherAReadNorAMutationIsNotAnsweredByTheModel() {
        assertThat(VolumeReads.answer(model.volume, new Ping(1))).isNull();
        assertThat(Mutation.of(new Ping(1), null)).isNull();
    }
}

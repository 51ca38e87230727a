package dev.strand.actors.volume;

import dev.strand.volume.ModelVolume;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.ReplicaPages;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.VolumeReads;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.actors.FrameSizes;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.StrandException;
import dev.strand.replication.VersionVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a replica answers other nodes fits one remoting frame, whatever the volume holds: every page is
 * serialised with the real serializer, on inputs as large as the protocol allows, and the pages together
 * still carry everything.
 */
class FrameSizeTest {

    private static FrameSizes frames;

    @BeforeAll
    static void start() {
        frames = new FrameSizes();
    }

    @AfterAll
    static void stop() throws Exception {
        frames.close();
    }

    private static int pageBytes() {
        return frames.budget.pageBytes();
    }

    /** A name of exactly {@link ProtocolLimits#MAX_NAME_BYTES} UTF-8 bytes: ASCII, 2-byte or 4-byte characters. */
    private static String longestName(int i) {
        String prefix = String.format("%06d", i);
        int left = ProtocolLimits.MAX_NAME_BYTES - prefix.length();
        return switch (i % 3) {
            case 0 -> prefix + "a".repeat(left);
            case 1 -> prefix + "\u00e9".repeat(left / 2) + "a".repeat(left % 2);
            default -> prefix + "\uD83D\uDE00".repeat(left / 4) + "a".repeat(left % 4);
        };
    }

    @Test
    void theBlobReferencesOfAReplicaWith200000BlobsComeInPagesThatEachFitAFrameAndTogetherHoldEveryBlob() {
        ModelVolume model = new ModelVolume();
        Fid dir = model.dir(model.root(), "d").fid();
        model.symlink(model.root(), "link", "d");
        for (int i = 0; i < 200_000; i++) {
            model.commitStore(model.file(dir, "f" + i).fid(), UUID.randomUUID(), 1);
        }
        Set<UUID> all = new HashSet<>(model.volume.referencedBlobs());
        assertThat(all).hasSize(200_000);
        assertThat(frames.bytes(new VolumeReplica.Result.BlobReferences(0, List.copyOf(all))))
                .as("the whole list in one message (what the previous release sent) does not fit")
                .isGreaterThan(frames.budget.frameSize());

        Set<UUID> paged = new HashSet<>();
        long after = 0;
        int pages = 0;
        while (true) {
            ReplicaPages.BlobPage page = ReplicaPages.blobReferences(model.volume, after, frames.budget.uuidsPerPage());
            frames.assertFits(new VolumeReplica.Result.BlobReferencesPage(0, page.blobIds(), page.lastVnode(), page.last()));
            paged.addAll(page.blobIds());
            pages++;
            if (page.last()) {
                break;
            }
            assertThat(page.lastVnode()).as("the cursor moves on").isGreaterThan(after);
            after = page.lastVnode();
        }
        assertThat(paged).isEqualTo(all);
        assertThat(pages).isGreaterThan(20);
    }

    @Test
    void readDirPagesOfNamesOfMaximumLengthWithAttributesFitAFrameAndListEveryNameOnce() {
        ModelVolume model = new ModelVolume();
        Fid dir = model.dir(model.root(), "long-names").fid();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            names.add(longestName(i));
            model.file(dir, names.get(i));
        }
        Collections.sort(names);

        List<String> listed = new ArrayList<>();
        String after = null;
        while (true) {
            ReadDirReply page = (ReadDirReply) VolumeReads.answer(model.volume, new ReadDir(dir, after, 1000, true), pageBytes());
            frames.assertFits(new VolumeReplica.Result.Done(page));
            page.entries().forEach(e -> listed.add(e.name()));
            if (page.eof()) {
                break;
            }
            assertThat(page.entries()).isNotEmpty();
            after = page.entries().get(page.entries().size() - 1).name();
        }
        assertThat(listed).isEqualTo(names);
    }

    @Test
    void aWalkWhoseNamesWouldNotFitOneMessageIsRefused() {
        List<String> names = Collections.nCopies(VolumeReads.MAX_WALK_NAMES, "a".repeat(ProtocolLimits.MAX_NAME_BYTES));
        Walk walk = new Walk(Fid.root(7), names);

        assertThatThrownBy(() -> VolumeReads.checkWalkSize(walk)).isInstanceOf(StrandException.class)
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.INVALID_ARGUMENT));
        List<String> longest = new ArrayList<>();
        for (int bytes = 0; bytes + ProtocolLimits.MAX_NAME_BYTES <= VolumeReads.MAX_WALK_BYTES; bytes += ProtocolLimits.MAX_NAME_BYTES) {
            longest.add("b".repeat(ProtocolLimits.MAX_NAME_BYTES));
        }
        Walk allowed = new Walk(Fid.root(7), longest);
        VolumeReads.checkWalkSize(allowed);
        frames.assertFits(new VolumeReplica.Execute(allowed, "c".repeat(256), Long.MAX_VALUE, null,
                new Cop1(Long.MAX_VALUE, Long.MAX_VALUE, List.of())));
    }

    @Test
    void catchUpImagesAndDirectorySlicesFitAFrameWhateverTheNamesAndLinkTargets() {
        ModelVolume model = new ModelVolume();
        Fid dir = model.dir(model.root(), "big").fid();
        for (int i = 0; i < 3_000; i++) {
            model.file(dir, longestName(i));
        }
        String target = "t".repeat(ProtocolLimits.MAX_SYMLINK_BYTES);
        for (int i = 0; i < 600; i++) {
            model.symlink(model.root(), longestName(i), target);
        }
        List<Long> held = new ArrayList<>();
        model.volume.vnodesAfter(0).forEachRemaining(v -> held.add(v.number()));
        List<Long> wanted = held;
        int copied = 0;
        while (!wanted.isEmpty()) {
            VnodeSync.Images images = VnodeSync.images(model.volume, wanted, pageBytes());
            frames.assertFits(new VolumeReplica.Result.VnodeImages(images));
            assertThat(images.images()).isNotEmpty();
            copied += images.images().size();
            Set<Long> done = new HashSet<>();
            images.images().forEach(i -> done.add(i.vnode()));
            wanted = wanted.stream().filter(n -> !done.contains(n)).toList();
        }
        assertThat(copied).isEqualTo(held.size());

        Vnode big = model.volume.resolve(dir);
        String after = null;
        int entries = 0;
        while (true) {
            VnodeSync.Entries slice = VnodeSync.entries(big, after, pageBytes());
            frames.assertFits(new VolumeReplica.Result.DirectoryEntries(slice, big.version()));
            frames.assertFits(new VolumeReplica.InstallEntries(1, big.number(), slice.entries(), big.version(), null));
            entries += slice.entries().size();
            if (slice.last()) {
                break;
            }
            after = slice.entries().get(slice.entries().size() - 1).name();
        }
        assertThat(entries).isEqualTo(3_000);
    }

    @Test
    void aTargetWithManyVnodesTheSourceLacksIsComparedInPiecesThatEachFitAFrame() {
        ModelVolume source = new ModelVolume();
        ModelVolume target = new ModelVolume();
        Fid dir = target.dir(target.root(), "gone").fid();
        for (int i = 0; i < 20_000; i++) {
            target.file(dir, "f" + i);
        }
        Set<Long> extra = new HashSet<>();
        long after = 0;
        while (true) {
            List<VnodeSync.Summary> page = VnodeSync.summaries(source.volume, after, VnodeSync.SUMMARY_PAGE);
            boolean last = page.size() < VnodeSync.SUMMARY_PAGE;
            VnodeSync.Differences differences = VnodeSync.compare(target.volume, after, page, last);
            frames.assertFits(new VolumeReplica.Result.Compared(differences));
            frames.assertFits(new VolumeReplica.InstallVnodes(0, List.of(), List.of(), differences.extra(), null));
            extra.addAll(differences.extra());
            if (differences.comparedUpTo() > after) {
                after = differences.comparedUpTo();
            } else if (last) {
                break;
            } else {
                after = page.get(page.size() - 1).vnode();
            }
        }
        assertThat(extra).hasSize(20_001); // every file and their directory
    }

    @Test
    void aPageOfTheRetryWindowFitsAFrameWhateverItsClientIdsAndMessages() {
        List<RecentRequests.Entry> window = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            window.add(new RecentRequests.Entry("client-" + "x".repeat(250) + i, Long.MAX_VALUE - i, Long.MAX_VALUE,
                    new Fid(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE), Status.NAME_TOO_LONG,
                    "refused: " + "\u00e9".repeat(2000)));
        }
        List<RecentRequests.Entry> adopted = new ArrayList<>();
        while (adopted.size() < window.size()) {
            List<RecentRequests.Entry> page = ReplicaPages.recentRequests(window.subList(adopted.size(), window.size()),
                    pageBytes());
            frames.assertFits(new VolumeReplica.Result.RecentRequestsPage(page));
            frames.assertFits(new VolumeReplica.AdoptRecentRequests(1, page, null));
            assertThat(page).isNotEmpty();
            adopted.addAll(page);
        }
        assertThat(adopted).isEqualTo(window);
    }

    @Test
    void aPageOfOperationsWaitingForCop2FitsAFrame() {
        List<Long> opIds = Collections.nCopies(frames.budget.numbersPerPage(), Long.MIN_VALUE);
        frames.assertFits(new VolumeReplica.Result.PendingOperationsPage(opIds, false));
    }

    // ---- the estimates the pages are cut by bound the real sizes ---------------------------------------

    private static final Fid MAX_FID = new Fid(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
    private static final List<Long> MAX_VECTOR = Collections.nCopies(5, Long.MAX_VALUE);

    /** The bytes {@code copies} of an item add to a list message, at most {@code copies * cost}. */
    private static <T> void assertCostBounds(T item, int cost, Function<List<T>, Object> message) {
        int copies = 100;
        int added = frames.bytes(message.apply(Collections.nCopies(copies, item))) - frames.bytes(message.apply(List.of()));
        assertThat(added).as("%d of %s", copies, item.getClass().getSimpleName()).isLessThanOrEqualTo(copies * cost);
    }

    @Test
    void theCostOfEachItemBoundsItsSerialisedSize() {
        Attr attr = new Attr(MAX_FID, FileType.SYMLINK, 07777, Long.MAX_VALUE, Integer.MAX_VALUE, "", Long.MAX_VALUE,
                Long.MAX_VALUE, Long.MAX_VALUE, MAX_VECTOR);
        assertCostBounds(new DirEntry("", MAX_FID, FileType.SYMLINK, attr),
                VolumeReads.DIR_ENTRY_BYTES + VolumeReads.ATTR_BYTES + 2,
                entries -> new VolumeReplica.Result.Done(new ReadDirReply(entries, false)));
        assertCostBounds(new DirEntry("", MAX_FID, FileType.SYMLINK, null), VolumeReads.DIR_ENTRY_BYTES + 1,
                entries -> new VolumeReplica.Result.Done(new ReadDirReply(entries, false)));

        VolumeSnapshot.VnodeRecord vnode = new VolumeSnapshot.VnodeRecord(Long.MAX_VALUE, Long.MAX_VALUE,
                FileType.DIRECTORY, 07777, "", Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
                Long.MAX_VALUE, VersionVector.fromList(MAX_VECTOR), UUID.randomUUID(), Long.MAX_VALUE, "",
                Long.MAX_VALUE, List.of());
        assertCostBounds(vnode, VnodeSync.VNODE_RECORD_BYTES + 2,
                images -> new VolumeReplica.Result.VnodeImages(new VnodeSync.Images(images, List.of(), List.of())));

        assertCostBounds(new VolumeSnapshot.EntryRecord("", Long.MAX_VALUE, Long.MAX_VALUE, FileType.SYMLINK),
                VnodeSync.ENTRY_RECORD_BYTES + 1,
                entries -> new VolumeReplica.Result.DirectoryEntries(new VnodeSync.Entries(entries, false), null));

        Status longest = Arrays.stream(Status.values()).max((a, b) -> a.name().length() - b.name().length()).orElseThrow();
        assertCostBounds(new RecentRequests.Entry("", Long.MAX_VALUE, Long.MAX_VALUE, MAX_FID, longest, ""),
                ReplicaPages.RECENT_REQUEST_BYTES + 2, VolumeReplica.Result.RecentRequestsPage::new);
    }
}

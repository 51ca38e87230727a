package dev.strand.actors.volume;

import dev.strand.actors.FrameSizes;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Symlink;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ModelVolume;
import dev.strand.volume.Origin;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.RequestDigest;
import dev.strand.volume.ResolutionLog;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resolution log in the snapshot, through the serializer the snapshot store uses: it reads back as it was,
 * and its default bound keeps it well under the 4 MiB this row may give it, even with every entry as large as an
 * entry can be.
 */
class ResolutionLogSizeTest {

    private static final long BIG = Long.MAX_VALUE;
    private static FrameSizes sizes;

    @BeforeAll
    static void start() {
        sizes = new FrameSizes();
    }

    @AfterAll
    static void stop() throws Exception {
        sizes.close();
    }

    private static String longest(char c, int bytes) {
        return String.valueOf(c).repeat(bytes);
    }

    /** The largest version there is: five slots, each counter as large as a long goes. */
    private static VnodeVersion largest() {
        return new VnodeVersion(BIG, VersionVector.fromList(List.of(BIG, BIG, BIG, BIG, BIG)));
    }

    private static Origin largestOrigin() {
        return new Origin(longest('c', 255), BIG, "anonymous", BIG,
                RequestDigest.of(new Symlink(new Fid(BIG, BIG, BIG), longest('n', 255), longest('t', 4095))));
    }

    /** The size of one entry in a snapshot: a log of two of them less a log of one (so the snapshot's own bytes cancel). */
    private static int entryBytes(VolumeEvent event) {
        ResolutionLog.Entry entry = new ResolutionLog.Entry(BIG, event);
        ResolutionLog.Entry other = new ResolutionLog.Entry(BIG - 1, event);
        return sizes.bytes(snapshotWith(List.of(entry, other))) - sizes.bytes(snapshotWith(List.of(entry)));
    }

    private static VolumeSnapshot snapshotWith(List<ResolutionLog.Entry> entries) {
        VolumeSnapshot empty = new ModelVolume(3, 0, ResolutionLog.DEFAULT_LIMIT).volume.toSnapshot();
        return new VolumeSnapshot(empty.initialized(), empty.volumeId(), empty.volumeName(), empty.createdMillis(),
                empty.replicaIndex(), empty.replicas(), empty.nextVnode(), empty.nextUnique(), empty.versionVector(),
                empty.vnodes(), empty.pendingCop2(), new ResolutionLog.Snapshot(entries, true, BIG));
    }

    @Test
    void theDefaultBoundKeepsTheLogWellUnderFourMebibytes() {
        Fid fid = new Fid(BIG, BIG, BIG);
        UUID blob = UUID.randomUUID();
        int symlink = entryBytes(new VolumeEvent.SymlinkCreated(largestOrigin(), fid, longest('n', 255), fid,
                longest('t', 4095), largest(), largest()));
        int rename = entryBytes(new VolumeEvent.Renamed(largestOrigin(), fid, longest('a', 255), fid,
                longest('b', 255), fid, fid, true, largest(), largest(), largest(), largest(), blob));

        ModelVolume typical = new ModelVolume(3, 0, ResolutionLog.DEFAULT_LIMIT);
        typical.file(typical.root(), "report-2026-12.txt");
        int create = entryBytes(typical.volume.resolutionLog().entries().get(0).event());

        System.out.printf("resolution log entry: create %d bytes, largest rename %d, largest symlink %d;"
                + " %d entries of the largest: %d bytes%n", create, rename, symlink, ResolutionLog.DEFAULT_LIMIT,
                (long) ResolutionLog.DEFAULT_LIMIT * symlink);
        assertThat(symlink).isGreaterThan(rename);
        assertThat((long) ResolutionLog.DEFAULT_LIMIT * symlink).as("the largest log")
                .isLessThan(3L * 1024 * 1024);
        assertThat(create).isLessThan(400);
    }

    @Test
    void aSnapshotWithItsLogReadsBackThroughTheSerializer() throws Exception {
        ModelVolume model = new ModelVolume(3, 1, 3);
        Fid dir = model.dir(model.root(), "d").fid();
        Fid file = model.file(dir, "f").fid();
        model.commitStore(file, UUID.randomUUID(), 10);
        model.execute(new Rename(dir, "f", model.root(), "g"));
        model.symlink(model.root(), "l", "g");
        RecentRequests.Snapshot snapshot = model.volume.toSnapshotWithRecentRequests();
        assertThat(model.volume.resolutionLog().overflowed()).isTrue();

        Serialization serialization = SerializationExtension.get(sizes.system().classicSystem());
        byte[] bytes = serialization.serialize(snapshot).get();
        var serializer = serialization.findSerializerFor(snapshot);
        Object read = serialization.deserialize(bytes, serializer.identifier(),
                Serializers.manifestFor(serializer, snapshot)).get();
        Volume restored = Volume.fromSnapshot((RecentRequests.Snapshot) read, 3);

        assertThat(read).isEqualTo(snapshot);
        assertThat(restored.resolutionLog().snapshot()).isEqualTo(model.volume.resolutionLog().snapshot());
        assertThat(restored.resolutionLog().entries()).extracting(e -> e.event().getClass().getSimpleName())
                .containsExactly("ContentStored", "Renamed", "SymlinkCreated");
    }
}

package dev.strand.actors.volume;

import dev.strand.volume.RecentRequests;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * A replica's snapshots: the live state is mutable and the snapshot store serialises later, so it gets an immutable
 * copy, with the retry window. Snapshots from before the window travelled along are plain {@link VolumeSnapshot}s.
 */
final class VolumeSnapshotAdapter implements SnapshotAdapter<Volume> {

    /** The replica's bound on its resolution log: configuration, not part of the snapshot. */
    private final int resolutionLogLimit;

    VolumeSnapshotAdapter(int resolutionLogLimit) {
        this.resolutionLogLimit = resolutionLogLimit;
    }

    @Override
    public Object toJournal(Volume volume) {
        return volume.toSnapshotWithRecentRequests(); // RETRIES: the window travels along
    }

    @Override
    public Volume fromJournal(Object snapshot) {
        if (snapshot instanceof RecentRequests.Snapshot withRecent) { // RETRIES
            return Volume.fromSnapshot(withRecent, resolutionLogLimit);
        }
        return Volume.fromSnapshot((VolumeSnapshot) snapshot, resolutionLogLimit);
    }
}

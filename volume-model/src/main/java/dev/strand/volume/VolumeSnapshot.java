package dev.strand.volume;

import dev.strand.cop2.PendingCop2;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;

import java.util.List;
import java.util.UUID;

/**
 * An immutable copy of a replica's state, as the snapshot store keeps it (the live {@link Volume} is
 * mutable and the store serialises asynchronously). Usage counters and the blob index are not stored:
 * they are rebuilt from the vnodes. Versioned like the events (see {@link VolumeEvent}).
 */
public record VolumeSnapshot(boolean initialized, long volumeId, String volumeName, long createdMillis,
                             int replicaIndex, int replicas, long nextVnode, long nextUnique,
                             VersionVector versionVector, List<VnodeRecord> vnodes,
                             List<PendingCop2.Entry> pendingCop2, ResolutionLog.Snapshot resolutionLog,
                             List<ConflictRecord> conflicts)
        implements Serialized {

    /**
     * {@code pendingCop2} is absent (null) in snapshots older than replicated volumes, {@code resolutionLog} in those
     * older than the resolution log, {@code conflicts} in those older than conflict marking: all read as empty.
     */
    public VolumeSnapshot {
        vnodes = List.copyOf(vnodes);
        conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        pendingCop2 = pendingCop2 == null ? List.of() : List.copyOf(pendingCop2);
        resolutionLog = resolutionLog == null ? new ResolutionLog.Snapshot(List.of(), false, 0) : resolutionLog;
    }

    /** As written before conflicts were marked (its constructor calls stay as they were). */
    public VolumeSnapshot(boolean initialized, long volumeId, String volumeName, long createdMillis, int replicaIndex,
                          int replicas, long nextVnode, long nextUnique, VersionVector versionVector,
                          List<VnodeRecord> vnodes, List<PendingCop2.Entry> pendingCop2,
                          ResolutionLog.Snapshot resolutionLog) {
        this(initialized, volumeId, volumeName, createdMillis, replicaIndex, replicas, nextVnode, nextUnique,
                versionVector, vnodes, pendingCop2, resolutionLog, null);
    }

    /** As written before the resolution log (its constructor calls stay as they were). */
    public VolumeSnapshot(boolean initialized, long volumeId, String volumeName, long createdMillis, int replicaIndex,
                          int replicas, long nextVnode, long nextUnique, VersionVector versionVector,
                          List<VnodeRecord> vnodes, List<PendingCop2.Entry> pendingCop2) {
        this(initialized, volumeId, volumeName, createdMillis, replicaIndex, replicas, nextVnode, nextUnique,
                versionVector, vnodes, pendingCop2, (ResolutionLog.Snapshot) null);
    }

    /** One vnode; {@code entries} in name order, empty unless a directory. */
    public record VnodeRecord(long vnode, long unique, FileType type, int mode, String owner, long size,
                              int linkCount, long mtimeMillis, long ctimeMillis, long dataVersion,
                              VersionVector versionVector, UUID blobId, long blobLength, String symlinkTarget,
                              long parent, List<EntryRecord> entries) {

        public VnodeRecord {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    public record EntryRecord(String name, long vnode, long unique, FileType type) {}
}

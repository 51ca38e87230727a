package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;

import java.util.List;

/**
 * One replica as the volume info shows it: its slot, entity id, the node hosting it (null if not
 * known), the volume-level version vector, the operations waiting for COP2, the entries of its resolution
 * log and the conflicts it marks (both 0 from nodes of earlier releases).
 * {@code available} is false (and the rest null/-1) for a replica that did not answer. {@code state} (filled
 * in by the coordinator, see {@code ReplicaInfo}): current, behind, catching-up, diverged or unavailable.
 */
public record ReplicaSummary(int index, String entityId, String node, boolean available,
                             List<Long> versionVector, int pendingCop2, String state, int resolutionLogEntries,
                             int conflicts) implements CborSerializable {

    /** As a replica reports itself: its state is the coordinator's to say. */
    public ReplicaSummary(int index, String entityId, String node, boolean available, List<Long> versionVector,
                          int pendingCop2) {
        this(index, entityId, node, available, versionVector, pendingCop2, null);
    }

    public ReplicaSummary(int index, String entityId, String node, boolean available, List<Long> versionVector,
                          int pendingCop2, String state) {
        this(index, entityId, node, available, versionVector, pendingCop2, state, 0, 0);
    }

    public ReplicaSummary withState(String state) {
        return new ReplicaSummary(index, entityId, node, available, versionVector, pendingCop2, state,
                resolutionLogEntries, conflicts);
    }
}

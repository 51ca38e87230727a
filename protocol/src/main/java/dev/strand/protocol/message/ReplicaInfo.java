package dev.strand.protocol.message;

import java.util.List;

/**
 * One replica of a volume as VOLUME_INFO shows it: its index (slot in the version vectors), entity id,
 * the node hosting it (null if not known), whether it answered, its volume-level version vector and how
 * many of its operations wait for their COP2 update set ({@code -1} if it did not answer), and {@code state}:
 * {@code current}, {@code behind} (it missed operations and serves nothing until it is brought up to date),
 * {@code catching-up}, {@code diverged} (it holds changes no current replica has: resolution must merge them)
 * or {@code unavailable}; null from servers before replicas caught up. {@code resolutionLogEntries}: the
 * operations it holds for replicas that may lack them (its resolution log); {@code conflicts}: its objects in
 * conflict. Both -1 when it did not answer and null from servers before the resolution log.
 */
public record ReplicaInfo(int index, String entityId, String node, boolean available, List<Long> versionVector,
                          int pendingCop2, String state, Integer resolutionLogEntries, Integer conflicts)
        implements Message {

    public ReplicaInfo(int index, String entityId, String node, boolean available, List<Long> versionVector,
                       int pendingCop2) {
        this(index, entityId, node, available, versionVector, pendingCop2, null);
    }

    public ReplicaInfo(int index, String entityId, String node, boolean available, List<Long> versionVector,
                       int pendingCop2, String state) {
        this(index, entityId, node, available, versionVector, pendingCop2, state, null, null);
    }
}

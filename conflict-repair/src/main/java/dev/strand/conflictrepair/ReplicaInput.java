package dev.strand.conflictrepair;

import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.List;

/**
 * What the resolution coordinator collected from one reachable replica.
 *
 * @param replica       the replica's slot in the version vectors
 * @param log           its resolution log: every operation it performed that is not yet known to be at every replica,
 *                      in the order it performed them
 * @param logOverflowed the log lost entries (it overflowed, or was cut before every replica had them): what it lacks
 *                      cannot be told from it, so the planner answers {@link ResolutionPlan.NeedsFullComparison}
 * @param images        the replica's copy of every vnode that any replica's log names (those it has; an absent one is
 *                      one it does not have) and of every directory above them up to the root
 *                      ({@link VnodeImages#collect}), directories with all their entries
 */
public record ReplicaInput(int replica, List<LogEntry> log, boolean logOverflowed, List<VnodeRecord> images) {

    public ReplicaInput {
        log = List.copyOf(log);
        images = List.copyOf(images);
    }
}

package dev.strand.conflictrepair;

import dev.strand.replication.VersionVector;

import java.util.List;

/**
 * Whether the replicas' resolution logs can account for how far their volume vectors differ. Replica i's own slot
 * counts the operations it performed; another replica j that lacks k of them (or only their COP2) is behind in
 * that slot by k, and each of those operations is still in i's log (an entry goes only once every replica has the
 * operation). So a slot ahead by more than i's log holds means changes the log never saw: made before the log
 * existed (an older release) or without COP1. Merging by log would then declare the replicas equal while they
 * are not; such a group needs a full comparison.
 */
public final class LogCoverage {

    private LogCoverage() {}

    /** A description of the first replica whose lead its log does not explain, or null when every lead is. */
    public static String unexplained(List<VersionVector> volumeVectors, List<Integer> logSizes) {
        for (int i = 0; i < volumeVectors.size(); i++) {
            for (int j = 0; j < volumeVectors.size(); j++) {
                long lead = volumeVectors.get(i).get(i) - volumeVectors.get(j).get(i);
                if (j != i && lead > logSizes.get(i)) {
                    return "replica " + i + " is " + lead + " changes ahead of replica " + j + " but its resolution "
                            + "log holds " + logSizes.get(i) + " (changes made before the log or without COP1)";
                }
            }
        }
        return null;
    }
}

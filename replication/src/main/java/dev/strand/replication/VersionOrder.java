package dev.strand.replication;

/** How two version vectors relate (see {@link VersionVector#compare}). */
public enum VersionOrder {
    /** Every counter is the same: the replicas saw the same updates. */
    EQUAL,
    /** This vector saw everything the other saw, and more. */
    DOMINATES,
    /** The other vector saw everything this one saw, and more. */
    DOMINATED,
    /** Each saw an update the other did not: the replicas diverged (a conflict to resolve). */
    CONCURRENT;

    /** The order seen from the other side. */
    public VersionOrder reversed() {
        return switch (this) {
            case DOMINATES -> DOMINATED;
            case DOMINATED -> DOMINATES;
            default -> this;
        };
    }
}

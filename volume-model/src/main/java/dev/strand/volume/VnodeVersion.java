package dev.strand.volume;

import dev.strand.replication.VersionVector;

/**
 * The version a vnode has after a change: its data version (Coda's storeid, bumped by every change of
 * the vnode) and its version vector (the changing replica's slot bumped). Events carry the versions they
 * give to every vnode they touch, so that resolution can compare replicas without replaying anything.
 */
public record VnodeVersion(long dataVersion, VersionVector versionVector) {

    /** The version of a vnode that the replica in {@code slot} of a group of {@code replicas} just created. */
    public static VnodeVersion first(int replicas, int slot) {
        return new VnodeVersion(1, VersionVector.ofSize(replicas).increment(slot));
    }

    /**
     * The version of a volume's root on every replica of a group of {@code replicas}: the creation of the
     * volume counts as applied by all of them, so the replicas start equal.
     */
    public static VnodeVersion initial(int replicas) {
        VersionVector all = VersionVector.ofSize(replicas);
        for (int slot = 0; slot < replicas; slot++) {
            all = all.increment(slot);
        }
        return new VnodeVersion(1, all);
    }

    /** The version after one more change made by the replica in {@code slot}. */
    public VnodeVersion next(int slot) {
        return new VnodeVersion(dataVersion + 1, versionVector.increment(slot));
    }
}

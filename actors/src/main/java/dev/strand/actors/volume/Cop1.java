package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;

import java.util.List;

/**
 * The coordinator's part of a mutation it sends a replica ({@link VolumeReplica.Execute}, {@link
 * VolumeReplica.CommitStore}): its operation id, the time every replica gives it (so that the replicas' times
 * agree), and update sets of earlier operations piggybacked on it. A field of those commands, never a message of
 * its own, so its class name does not travel.
 */
public record Cop1(long opId, long timeMillis, List<Cop2Update> cop2) implements CborSerializable {
    public Cop1 {
        cop2 = cop2 == null ? List.of() : List.copyOf(cop2);
    }
}

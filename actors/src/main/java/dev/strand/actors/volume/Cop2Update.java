package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;

import java.util.List;

/**
 * The update set of operation {@code opId}: the replicas (slots) that applied it (COP2). Travels inside {@link Cop1}
 * and {@link VolumeReplica.Cop2}, never as a message of its own.
 */
public record Cop2Update(long opId, List<Integer> updateSet) implements CborSerializable {
    public Cop2Update {
        updateSet = List.copyOf(updateSet);
    }
}

package dev.strand.cop2;

import java.util.List;

/** The update set of operation {@code opId}: the replicas (slots) that applied it in COP1. */
public record UpdateSet(long opId, List<Integer> replicas) {
    public UpdateSet {
        replicas = List.copyOf(replicas);
    }
}

package dev.strand.volume;

import dev.strand.replication.VersionVector;

import java.util.HashMap;
import java.util.Map;

/**
 * One instance of each equal immutable value the vnodes of a volume hold many times: version vectors (after COP2
 * most vnodes of a group carry one of a few, such as [1,1,1]) and owners (a few principals, each decoded into a string
 * of its own per request and per journal event). Saves heap per vnode (see VolumeHeapBench); changes no value.
 * Bounded: when full it starts again empty (what is shared stays shared).
 *
 * <p>Not thread safe: owned by one replica's state, like the vnodes.
 */
final class SharedValues {

    private static final int MAX_VECTORS = 4096;
    private static final int MAX_OWNERS = 1024;

    private final Map<VersionVector, VersionVector> vectors = new HashMap<>();
    private final Map<String, String> owners = new HashMap<>();

    VersionVector vector(VersionVector vector) {
        if (vector == null) {
            return null;
        }
        VersionVector shared = vectors.get(vector);
        if (shared != null) {
            return shared;
        }
        if (vectors.size() >= MAX_VECTORS) {
            vectors.clear();
        }
        vectors.put(vector, vector);
        return vector;
    }

    String owner(String owner) {
        if (owner == null) {
            return null;
        }
        String shared = owners.get(owner);
        if (shared != null) {
            return shared;
        }
        if (owners.size() >= MAX_OWNERS) {
            owners.clear();
        }
        owners.put(owner, owner);
        return owner;
    }
}

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
        return shared(vectors, MAX_VECTORS, vector);
    }

    String owner(String owner) {
        return shared(owners, MAX_OWNERS, owner);
    }

    /** The instance of {@code value} already held in {@code held}, else {@code value}, held from now on. */
    private static <T> T shared(Map<T, T> held, int max, T value) {
        if (value == null) {
            return null;
        }
        T shared = held.get(value);
        if (shared != null) {
            return shared;
        }
        if (held.size() >= max) {
            held.clear();
        }
        held.put(value, value);
        return value;
    }
}

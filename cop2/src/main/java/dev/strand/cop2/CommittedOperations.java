package dev.strand.cop2;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * The operations a coordinator saw committed by at least one replica, newest last, each with its update set
 * (a bit per replica), at most {@link #KEPT}. A replica whose node died may have applied an operation without
 * its answer arriving: it then holds a bump of its own slot the others never learn of (no update set names
 * it), so its vector is not dominated though it holds nothing new; this table lets catching up tell that
 * apart from divergence.
 */
public final class CommittedOperations {

    public static final int KEPT = 100_000;

    private final LinkedHashMap<Long, Integer> members = new LinkedHashMap<>();

    public void record(long opId, List<Integer> updateSet) {
        int bits = 0;
        for (int replica : updateSet) {
            bits |= 1 << replica;
        }
        members.put(opId, bits);
        if (members.size() > KEPT) {
            members.remove(members.keySet().iterator().next());
        }
    }

    /** The update set of {@code opId} as a bit per replica, or null if it was not seen committed (or is too old). */
    public Integer updateSetOf(long opId) {
        return members.get(opId);
    }

    public int size() {
        return members.size();
    }
}

package dev.strand.cop2;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replica's pending-COP2 table (Coda's pending COP2 manager): the operations this replica applied in
 * COP1 whose update set (which replicas of the storage group applied them too) has not arrived yet, each
 * with the vnodes it touched. When the update set arrives the replica bumps the other replicas' slots of
 * those vnodes' version vectors and the entry goes. An entry whose update set never comes expires: the
 * objects it touched stay unequal across the replicas, for resolution to find.
 *
 * <p>Pure and deterministic (no clock of its own: callers pass times), mutable, not thread-safe; it lives
 * inside one actor's state. Entries keep their recording order.
 */
public final class PendingCop2 {

    /** One operation waiting for its update set. {@code vnodes} in the order the operation touched them. */
    public record Entry(long opId, List<Long> vnodes, long recordedMillis) {
        public Entry {
            vnodes = List.copyOf(vnodes);
        }
    }

    private final Map<Long, Entry> entries = new LinkedHashMap<>();

    public PendingCop2() {}

    /** A table holding these entries (a snapshot's copy). */
    public static PendingCop2 of(Collection<Entry> entries) {
        PendingCop2 table = new PendingCop2();
        if (entries != null) {
            for (Entry e : entries) {
                table.entries.put(e.opId(), e);
            }
        }
        return table;
    }

    /**
     * Records that this replica applied {@code opId}, touching {@code vnodes}. An id already pending is
     * refused (false, the table unchanged): two operations under one id would let one update set complete
     * the other's vnodes. Callers check {@link #pending} before they apply an operation, so this only
     * happens when replaying journals written before operation ids were leased (see {@link OperationIds}).
     */
    public boolean record(long opId, Collection<Long> vnodes, long recordedMillis) {
        if (entries.containsKey(opId)) {
            return false;
        }
        entries.put(opId, new Entry(opId, new ArrayList<>(vnodes), recordedMillis));
        return true;
    }

    /** The entry waiting for {@code opId}'s update set, or null if there is none (never recorded, done or expired). */
    public Entry pending(long opId) {
        return entries.get(opId);
    }

    /** Removes and returns {@code opId}'s entry (its update set arrived), or null. */
    public Entry complete(long opId) {
        return entries.remove(opId);
    }

    /** Removes and returns the entries recorded before {@code cutoffMillis}, oldest first. */
    public List<Entry> expireRecordedBefore(long cutoffMillis) {
        List<Entry> expired = new ArrayList<>();
        entries.values().removeIf(e -> {
            if (e.recordedMillis() < cutoffMillis) {
                expired.add(e);
                return true;
            }
            return false;
        });
        return expired;
    }

    public int size() {
        return entries.size();
    }

    /** The entries in recording order (an immutable copy, e.g. for a snapshot). */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }
}

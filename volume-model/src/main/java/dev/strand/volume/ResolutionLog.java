package dev.strand.volume;


import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A replica's resolution log (Coda's): the replicated operations this replica performed that are not yet known to
 * be applied at every replica of the storage group, each as its operation id and its mutation event, in the order
 * they arrived. Resolution ships them to a replica that missed them; the events already carry the names, fids and
 * versions that needs.
 *
 * <p>Part of the replica's state ({@link Volume#resolutionLog()}), changed only by the event handler: an entry is
 * appended for the mutation event an {@link VolumeEvent.OperationRecorded} names, and goes when a
 * {@link VolumeEvent.Cop2Applied} says every replica applied it or a {@link VolumeEvent.ResolutionLogTruncated}
 * names it.
 *
 * <p>Bounded by construction: at most {@code limit} entries ({@code strand.volume.resolution-log-limit}). On
 * overflow the oldest entry goes and the log says so ({@link #overflowed()}, {@link #newestDroppedOpId()}):
 * from then on it is incomplete up to that operation, and resolution cannot merge by the log alone.
 *
 * <p>Not thread safe: owned by one replica's state.
 */
public final class ResolutionLog {

    /**
     * Default bound. Measured with the snapshot store's serializer ({@code ResolutionLogSizeTest}): an entry takes
     * about 270 bytes of CBOR for a create with a short name, 1.5 KiB for a rename between names of 255 bytes and at
     * most 4.9 KiB (a symbolic link with a target of 4095 bytes, by a client id of 255 bytes), so the log takes at
     * most 2.4 MiB of the snapshot's row (about 135 KB of typical entries): well under 4 MiB.
     */
    public static final int DEFAULT_LIMIT = 500;

    /** The most operation ids one {@link VolumeEvent.ResolutionLogTruncated} should carry (about 9 KiB). */
    public static final int MAX_TRUNCATED_PER_EVENT = 1000;

    /**
     * One operation: its coordinator-given id and the event this replica persisted for it. The event travels
     * under a stable name (not its Java class), since it sits in a field typed by the interface.
     */
    public record Entry(long opId,
                        @MutationEventType VolumeEvent event) {}

    /**
     * The log as a snapshot holds it; absent (null) in snapshots written before the log existed, read as empty.
     */
    public record Snapshot(List<Entry> entries, boolean overflowed, long newestDroppedOpId) {
        public Snapshot {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    private final int limit;
    private final Map<Long, Entry> entries = new LinkedHashMap<>();
    private boolean overflowed;
    private long newestDroppedOpId;

    public ResolutionLog(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the resolution log limit must be at least 1, not " + limit);
        }
        this.limit = limit;
    }

    /** A log holding a snapshot's entries; a snapshot larger than {@code limit} keeps its newest and says so. */
    public static ResolutionLog restored(Snapshot snapshot, int limit) {
        ResolutionLog log = new ResolutionLog(limit);
        if (snapshot != null) {
            log.overflowed = snapshot.overflowed();
            log.newestDroppedOpId = snapshot.newestDroppedOpId();
            snapshot.entries().forEach(log::append);
        }
        return log;
    }

    // ---- reading -----------------------------------------------------------------------------

    public int limit() {
        return limit;
    }

    public int size() {
        return entries.size();
    }

    /** The entries, oldest first (a copy). */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The entry of {@code opId}, or null. */
    public Entry entry(long opId) {
        return entries.get(opId);
    }

    /** True once an entry was dropped for space: the log no longer holds every operation it should. */
    public boolean overflowed() {
        return overflowed;
    }

    /** The newest operation dropped for space (0 if none): the log is incomplete up to it. */
    public long newestDroppedOpId() {
        return newestDroppedOpId;
    }

    public Snapshot snapshot() {
        return new Snapshot(entries(), overflowed, newestDroppedOpId);
    }

    // ---- changes: the event handler's (Volume#apply) -----------------------------------------

    /** Operation {@code opId} was performed here as {@code event}; the oldest entry goes if the log is full. */
    void append(long opId, VolumeEvent event) {
        append(new Entry(opId, event));
    }

    private void append(Entry entry) {
        entries.put(entry.opId(), entry);
        while (entries.size() > limit) {
            Iterator<Entry> oldest = entries.values().iterator();
            long dropped = oldest.next().opId();
            oldest.remove();
            overflowed = true;
            newestDroppedOpId = Math.max(newestDroppedOpId, dropped);
        }
    }

    /** This replica differs in ways its entries do not say (a full comparison's round): as if entries were lost. */
    void markOverflowed() {
        overflowed = true;
    }

    /** Every replica has {@code opId}: its entry goes. */
    void remove(long opId) {
        entries.remove(opId);
    }

    /**
     * COP2 of an operation: its entry goes when the update set (the other slots that applied it, and this replica)
     * covers the whole group; after a partial one it stays, for the replicas that missed the operation.
     */
    void settle(VolumeEvent.Cop2Applied cop2, int replicaIndex, int replicas) {
        Set<Integer> applied = new HashSet<>(cop2.slots());
        applied.add(replicaIndex);
        for (int slot = 0; slot < replicas; slot++) {
            if (!applied.contains(slot)) {
                return;
            }
        }
        entries.remove(cop2.opId());
    }

    /**
     * This replica became a copy of another (catch-up): what it holds now is the source's, so its own entries and
     * their overflow mark describe a history it no longer has (see {@link Volume}).
     */
    void clear() {
        entries.clear();
        overflowed = false;
        newestDroppedOpId = 0;
    }
}

package dev.strand.volume;


import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * Pages of the lists a replica answers other nodes with (see {@link FrameBudget}): each is cut so that its
 * message fits one remoting frame, and carries the cursor of the next page. Pure functions over a replica's state.
 */
public final class ReplicaPages {

    /** Upper bound of the CBOR bytes of a retry-window entry besides its client id and refusal message. */
    public static final int RECENT_REQUEST_BYTES = 176;

    /** A page scans at most this many vnodes per blob id it may carry (directories and links carry none). */
    private static final int SCAN_PER_ID = 4;

    private ReplicaPages() {}

    /** The blobs of vnodes numbered above a cursor; {@code lastVnode}: the cursor of the next page. */
    public record BlobPage(List<UUID> blobIds, long lastVnode, boolean last) {}

    /**
     * The blobs referenced by the vnodes numbered above {@code afterVnode}, in vnode order, at most
     * {@code maxIds} of them (and at most a bounded number of vnodes scanned).
     */
    public static BlobPage blobReferences(Volume volume, long afterVnode, int maxIds) {
        int max = Math.max(1, maxIds);
        List<UUID> ids = new ArrayList<>();
        long last = afterVnode;
        long scanLeft = (long) max * SCAN_PER_ID;
        Iterator<Vnode> it = volume.vnodesAfter(afterVnode);
        while (it.hasNext() && ids.size() < max && scanLeft-- > 0) {
            Vnode v = it.next();
            last = v.number();
            if (v.blobId() != null) {
                ids.add(v.blobId());
            }
        }
        return new BlobPage(List.copyOf(ids), last, !it.hasNext());
    }

    /** The leading entries of {@code entries} whose estimated size fits {@code pageBytes} (at least one). */
    public static List<RecentRequests.Entry> recentRequests(List<RecentRequests.Entry> entries, int pageBytes) {
        int left = pageBytes;
        int n = 0;
        for (RecentRequests.Entry e : entries) {
            int cost = RECENT_REQUEST_BYTES + FrameBudget.text(e.clientId()) + FrameBudget.text(e.refusedMessage());
            if (cost > left && n > 0) {
                break;
            }
            left -= cost;
            n++;
        }
        return List.copyOf(entries.subList(0, n));
    }

    /** Up to {@code max} of the operations waiting for COP2, after the first {@code skip}. */
    public static List<Long> pendingOperations(Volume volume, int skip, int max) {
        List<Long> page = new ArrayList<>();
        var entries = volume.pendingCop2().entries();
        for (int i = Math.max(0, skip); i < entries.size() && page.size() < max; i++) {
            page.add(entries.get(i).opId());
        }
        return page;
    }
}

package dev.strand.cop2;

/**
 * Operation ids a coordinator hands out, from a lease the volume registry persisted. A replica keys its
 * pending-COP2 table by operation id, and the id travels in COP1 and in update sets, so two operations must
 * never share one: not after the coordinator moves to another node (whose clock may be behind), not after
 * it restarts, not against ids in journals written by older code.
 *
 * <p>The registry hands out consecutive ranges of {@link #LEASE_SIZE} ids, starting at {@link #FIRST}, and
 * persists how far it got before answering; a coordinator uses its range from the bottom and asks for a new
 * one once half is used. So ids are unique for as long as the registry's journal lives, whatever the
 * clocks say. Older code used {@code currentTimeMillis * 1000}, which stays below 2^53 until the year 2255:
 * below {@link #FIRST}, so leased ids never meet ids in old journals.
 *
 * <p>Pure, mutable, not thread-safe: it lives inside one actor.
 */
public final class OperationIds {

    /** The first id the registry ever leases: above every wall-clock id older code wrote. */
    public static final long FIRST = 1L << 62;
    /** Ids per lease: 2^32, more than a coordinator uses in hours at full speed. */
    public static final long LEASE_SIZE = 1L << 32;

    private long next;
    private long end;
    /** The size of the lease in use (for when to ask for the next). */
    private long size;
    /** A lease that came while the current one still had ids: used once the current one runs out. */
    private long spareFirst = -1;
    private long spareCount;

    /** A coordinator's ids before any lease arrived: none. */
    public OperationIds() {}

    /**
     * The lease that follows ids up to {@code nextFree} (the registry's counter; 0 when none was ever
     * leased): its first id. Throws when the id space is used up (after 2^30 leases).
     */
    public static long leaseAfter(long nextFree) {
        long first = Math.max(nextFree, FIRST);
        if (first > Long.MAX_VALUE - LEASE_SIZE) {
            throw new IllegalStateException("the operation id space is used up");
        }
        return first;
    }

    /** Adds the lease of ids {@code first} to {@code first + count - 1} (used after the current one). */
    public void lease(long first, long count) {
        if (first < FIRST || count <= 0) {
            throw new IllegalArgumentException("not a lease of operation ids: " + first + "+" + count);
        }
        if (next >= end) {
            next = first;
            end = first + count;
            size = count;
        } else {
            spareFirst = first;
            spareCount = count;
        }
    }

    /** Whether an id is available now. */
    public boolean available() {
        return next < end || spareFirst >= 0;
    }

    /** The next id; {@link #available()} must be true. */
    public long take() {
        if (next >= end) {
            if (spareFirst < 0) {
                throw new IllegalStateException("no operation id left: a lease is needed");
            }
            next = spareFirst;
            end = spareFirst + spareCount;
            size = spareCount;
            spareFirst = -1;
        }
        return next++;
    }

    /** Whether a new lease should be asked for: none held, or half of the one in use is used and no spare. */
    public boolean wantsLease() {
        return spareFirst < 0 && end - next <= size / 2;
    }
}

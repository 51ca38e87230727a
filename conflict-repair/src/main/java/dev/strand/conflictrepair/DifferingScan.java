package dev.strand.conflictrepair;

import dev.strand.volume.VnodeSync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link FullComparison#differing} without holding every replica's whole listing: the replicas' version pages are
 * merged in step, in vnode order, and only the numbers that differ are kept. Every vnode up to the lowest last
 * number any replica still listing has sent is known on every replica, so it is compared and let go; a replica is
 * asked for its next page only once everything it sent has been compared. So at most one page of summaries per
 * replica is held at a time, and the scan can stop as soon as more than {@code limit} numbers differ. Not thread
 * safe: one page at a time.
 */
public final class DifferingScan {

    private final int replicas;
    private final int limit;
    private final List<ArrayDeque<VnodeSync.Summary>> unmatched = new ArrayList<>();
    private final boolean[] listed;
    private final long[] after;
    private final List<Long> differing = new ArrayList<>();

    /** {@code limit}: past this many differing numbers the scan is {@link #overLimit()} and compares no further. */
    public DifferingScan(int replicas, int limit) {
        this(replicas, limit, 0);
    }

    /** As {@link #DifferingScan(int, int)}, listing only vnodes above number {@code from} (a later round's scan). */
    public DifferingScan(int replicas, int limit, long from) {
        this.replicas = replicas;
        this.limit = limit;
        this.listed = new boolean[replicas];
        this.after = new long[replicas];
        for (int r = 0; r < replicas; r++) {
            unmatched.add(new ArrayDeque<>());
            after[r] = from;
        }
    }

    /** The replicas whose next page is needed before the scan can go on (none once it is finished). */
    public List<Integer> wanted() {
        List<Integer> wanted = new ArrayList<>();
        if (overLimit()) {
            return wanted;
        }
        for (int r = 0; r < replicas; r++) {
            if (!listed[r] && unmatched.get(r).isEmpty()) {
                wanted.add(r);
            }
        }
        return wanted;
    }

    /** Where replica {@code replica}'s next page starts: above this vnode number (0 at first: vnodes count from 1). */
    public long after(int replica) {
        return after[replica];
    }

    /** Replica {@code replica}'s next page, in vnode order; {@code last} (or an empty page): none follow. */
    public void take(int replica, List<VnodeSync.Summary> page, boolean last) {
        if (listed[replica] || !unmatched.get(replica).isEmpty()) {
            throw new IllegalStateException("replica " + replica + "'s page was not asked for");
        }
        for (VnodeSync.Summary s : page) {
            if (s.vnode() <= after[replica]) {
                throw new IllegalArgumentException("replica " + replica + " listed vnode " + s.vnode()
                        + " out of order (after " + after[replica] + ")");
            }
            unmatched.get(replica).add(s);
            after[replica] = s.vnode();
        }
        listed[replica] = last || page.isEmpty();
    }

    /** Compares every vnode that every replica has listed as far as (once no page is {@link #wanted()}). */
    public void compare() {
        if (!wanted().isEmpty()) {
            throw new IllegalStateException("pages of replicas " + wanted() + " are still wanted");
        }
        long upTo = Long.MAX_VALUE; // a replica still listing may yet send any number above its last one
        for (int r = 0; r < replicas; r++) {
            if (!listed[r]) {
                upTo = Math.min(upTo, unmatched.get(r).peekLast().vnode());
            }
        }
        while (!overLimit()) {
            long lowest = Long.MAX_VALUE;
            boolean any = false;
            for (ArrayDeque<VnodeSync.Summary> queue : unmatched) {
                if (!queue.isEmpty() && queue.peekFirst().vnode() <= lowest) {
                    lowest = queue.peekFirst().vnode();
                    any = true;
                }
            }
            if (!any || lowest > upTo) {
                return;
            }
            VnodeSync.Summary seen = null;
            boolean same = true;
            for (ArrayDeque<VnodeSync.Summary> queue : unmatched) {
                VnodeSync.Summary s = !queue.isEmpty() && queue.peekFirst().vnode() == lowest ? queue.pollFirst() : null;
                same &= s != null && (seen == null || Objects.equals(seen, s));
                seen = seen == null ? s : seen;
            }
            if (!same) {
                differing.add(lowest);
            }
        }
    }

    /** How many of replica {@code replica}'s summaries are held, listed but not compared yet (at most a page). */
    public int held(int replica) {
        return unmatched.get(replica).size();
    }

    /** Every replica has been listed to its end and all of it compared. */
    public boolean finished() {
        for (int r = 0; r < replicas; r++) {
            if (!listed[r] || !unmatched.get(r).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** More than {@code limit} numbers differ: the scan stopped there. */
    public boolean overLimit() {
        return differing.size() > limit;
    }

    /** The numbers found differing so far, ascending. */
    public List<Long> differing() {
        return List.copyOf(differing);
    }
}

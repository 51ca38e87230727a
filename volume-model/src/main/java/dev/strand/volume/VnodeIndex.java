package dev.strand.volume;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * A volume's vnodes by number, in number order: sorted runs of up to {@link #RUN} vnodes, the runs in a tree by the
 * number of their first. A vnode carries its number, so no boxed key and no tree node per vnode: about 5 to 10 bytes
 * per vnode where a {@code TreeMap<Long, Vnode>} took 56 (see VolumeHeapBench). Numbers allocated in increasing order
 * (the counters, leased operation ids) fill runs to the brim; an insertion inside a full run splits it in two.
 *
 * <p>Not thread safe: owned by one replica's state. An iterator is valid until the next change.
 */
final class VnodeIndex {

    static final int RUN = 64;

    private static final class Run {
        final Vnode[] vnodes = new Vnode[RUN];
        int count;

        long first() {
            return vnodes[0].number();
        }

        long last() {
            return vnodes[count - 1].number();
        }

        /** As Arrays.binarySearch: the index, or -(insertion point) - 1. */
        int indexOf(long number) {
            int low = 0;
            int high = count - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                long n = vnodes[mid].number();
                if (n < number) {
                    low = mid + 1;
                } else if (n > number) {
                    high = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(low + 1);
        }

        int firstAbove(long number) {
            int i = indexOf(number);
            return i >= 0 ? i + 1 : -i - 1;
        }

        void insert(int at, Vnode v) {
            System.arraycopy(vnodes, at, vnodes, at + 1, count - at);
            vnodes[at] = v;
            count++;
        }

        void removeAt(int at) {
            System.arraycopy(vnodes, at + 1, vnodes, at, count - at - 1);
            vnodes[--count] = null;
        }
    }

    /** The runs by the number of their first vnode. */
    private final TreeMap<Long, Run> runs = new TreeMap<>();
    private int size;

    int size() {
        return size;
    }

    Vnode get(long number) {
        Map.Entry<Long, Run> e = runs.floorEntry(number);
        if (e == null) {
            return null;
        }
        Run run = e.getValue();
        int at = run.indexOf(number);
        return at >= 0 ? run.vnodes[at] : null;
    }

    /** Adds {@code v}, or replaces the vnode of its number. */
    void put(Vnode v) {
        long number = v.number();
        Map.Entry<Long, Run> e = runs.floorEntry(number);
        if (e == null) { // below every run: into the first one, which then starts with it
            e = runs.firstEntry();
            if (e == null) {
                Run run = new Run();
                run.insert(0, v);
                runs.put(number, run);
                size++;
                return;
            }
        }
        Run run = e.getValue();
        int at = run.indexOf(number);
        if (at >= 0) {
            run.vnodes[at] = v;
            return;
        }
        at = -at - 1;
        size++;
        if (run.count == RUN) {
            if (at == RUN) { // past the end of a full run (appending, mostly): a run of its own
                Run next = new Run();
                next.insert(0, v);
                runs.put(number, next);
                return;
            }
            Run upper = new Run(); // split in halves, then insert into the half it belongs to
            int half = RUN / 2;
            System.arraycopy(run.vnodes, half, upper.vnodes, 0, RUN - half);
            Arrays.fill(run.vnodes, half, RUN, null);
            upper.count = RUN - half;
            run.count = half;
            runs.put(upper.first(), upper);
            if (at > half) {
                run = upper;
                at -= half;
            }
        }
        long oldFirst = run.first();
        run.insert(at, v);
        if (at == 0) {
            runs.remove(oldFirst);
            runs.put(number, run);
        }
    }

    /** Removes the vnode of this number, if any. */
    void remove(long number) {
        Map.Entry<Long, Run> e = runs.floorEntry(number);
        if (e == null) {
            return;
        }
        Run run = e.getValue();
        int at = run.indexOf(number);
        if (at < 0) {
            return;
        }
        run.removeAt(at);
        size--;
        if (run.count == 0) {
            runs.remove(e.getKey());
        } else if (at == 0) {
            runs.remove(e.getKey());
            runs.put(run.first(), run);
        }
    }

    /** The vnodes with a number above {@code number}, in number order. */
    Iterator<Vnode> after(long number) {
        return between(number, Long.MAX_VALUE);
    }

    /** The vnodes with a number above {@code number} and at most {@code upTo}, in number order. */
    Iterator<Vnode> between(long number, long upTo) {
        Map.Entry<Long, Run> start = runs.floorEntry(number);
        Iterator<Run> rest = (start == null ? runs : runs.tailMap(start.getKey(), true)).values().iterator();
        return new Iterator<>() {
            private Run run = rest.hasNext() ? rest.next() : null;
            private int at = run == null ? 0 : run.firstAbove(number);

            @Override
            public boolean hasNext() {
                while (run != null && at >= run.count) {
                    run = rest.hasNext() ? rest.next() : null;
                    at = 0;
                }
                return run != null && run.vnodes[at].number() <= upTo;
            }

            @Override
            public Vnode next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return run.vnodes[at++];
            }
        };
    }

    /** Every vnode, in number order. */
    Iterator<Vnode> all() {
        return after(Long.MIN_VALUE);
    }
}

package dev.strand.volume;

import dev.strand.replication.VersionVector;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * CATCH-UP: what two replicas of one volume exchange so that one that fell behind (the target) becomes a
 * copy of a current one (the source). Pure functions over {@link Volume}; the replica actor answers with
 * them and the coordinator's {@code ReplicaCatchUp} drives the exchange.
 *
 * <p>The exchange pages through vnode numbers: the source lists the versions of its vnodes above a number
 * ({@link #summaries}), the target says which of those it lacks or holds in another version and which of
 * its own vnodes in the same range the source no longer has ({@link #compare}), the source sends those
 * vnodes whole ({@link #images}) and the target installs them. Only vnodes that differ travel in full, so a
 * replica that missed a few operations receives a few vnodes, whatever the size of the volume. Messages stay
 * below the remoting frame limit ({@link FrameBudget}): a page of versions is at most {@link #SUMMARY_PAGE}
 * vnodes, and images and directory entries are cut at the replica's page budget by costs that bound their
 * CBOR size (a large directory comes in slices, {@link #entries}).
 */
public final class VnodeSync {

    /** Vnode versions per page. */
    public static final int SUMMARY_PAGE = 1000;
    /** How many bytes of images or entries one answer carries at the default frame size. */
    public static final int BYTE_BUDGET = FrameBudget.DEFAULT.pageBytes();

    /** Upper bound of a vnode image's CBOR bytes besides its texts and entries (checked by FrameSizeTest). */
    public static final int VNODE_RECORD_BYTES = 320;

    /** Upper bound of a directory entry record's CBOR bytes besides its name (checked by FrameSizeTest). */
    public static final int ENTRY_RECORD_BYTES = 64;

    private VnodeSync() {}

    /** The version of one vnode: two replicas hold the same vnode when all of it matches. */
    public record Summary(long vnode, long unique, long dataVersion, VersionVector versionVector)
            implements Serialized {
        static Summary of(Vnode v) {
            VnodeVersion version = v.version();
            return new Summary(v.number(), v.unique(), version.dataVersion(), version.versionVector());
        }
    }

    /**
     * {@code wanted}: the source's vnodes the target lacks or holds in another version; {@code extra}: the
     * target's vnodes in the page's range that the source does not have. {@code comparedUpTo}: 0 when the whole
     * page was compared, else the vnode number where the comparison stopped because {@link #MAX_EXTRA} extra
     * vnodes were found: the next page starts after it (absent, 0, in answers of the previous release).
     */
    public record Differences(List<Long> wanted, List<Long> extra, long comparedUpTo) implements Serialized {
        public Differences {
            wanted = List.copyOf(wanted);
            extra = List.copyOf(extra);
        }

        public Differences(List<Long> wanted, List<Long> extra) {
            this(wanted, extra, 0);
        }
    }

    /** Most extra vnodes one comparison lists, so that it and the removal that follows fit one message. */
    public static final int MAX_EXTRA = FrameBudget.DEFAULT.numbersPerPage() / 4;

    /**
     * Whole vnodes: {@code images} (a directory listed in {@code incomplete} carries only its first entries),
     * and {@code missing}: asked-for vnodes the source no longer has. Vnodes asked for but in neither list did
     * not fit: ask again.
     */
    public record Images(List<VolumeSnapshot.VnodeRecord> images, List<Long> incomplete, List<Long> missing)
            implements Serialized {
        public Images {
            images = List.copyOf(images);
            incomplete = List.copyOf(incomplete);
            missing = List.copyOf(missing);
        }
    }

    /** A slice of a directory's entries after a name; {@code last}: no more follow. */
    public record Entries(List<VolumeSnapshot.EntryRecord> entries, boolean last) implements Serialized {
        public Entries {
            entries = List.copyOf(entries);
        }
    }

    /** The versions of up to {@code max} vnodes numbered above {@code after}, in number order. */
    public static List<Summary> summaries(Volume volume, long after, int max) {
        List<Summary> page = new ArrayList<>(Math.min(max, SUMMARY_PAGE));
        Iterator<Vnode> it = volume.vnodesAfter(after);
        while (it.hasNext() && page.size() < max) {
            page.add(Summary.of(it.next()));
        }
        return page;
    }

    /**
     * Compares a page of the source's versions with the target's vnodes in the same range: numbers above
     * {@code after} up to the page's last one, or without an upper bound when {@code last} (the source has
     * nothing beyond).
     */
    public static Differences compare(Volume target, long after, List<Summary> source, boolean last) {
        long upTo = last || source.isEmpty() ? Long.MAX_VALUE : source.get(source.size() - 1).vnode();
        List<Long> wanted = new ArrayList<>();
        List<Long> extra = new ArrayList<>();
        Iterator<Vnode> mine = target.vnodesBetween(after, upTo);
        Vnode m = mine.hasNext() ? mine.next() : null;
        for (Summary s : source) {
            while (m != null && m.number() < s.vnode()) {
                if (!inConflict(target, m.number())) {
                    extra.add(m.number());
                }
                if (extra.size() >= MAX_EXTRA) {
                    return new Differences(wanted, extra, m.number());
                }
                m = mine.hasNext() ? mine.next() : null;
            }
            if (m != null && m.number() == s.vnode()) {
                if (!s.equals(Summary.of(m)) && !inConflict(target, s.vnode())) {
                    wanted.add(s.vnode());
                }
                m = mine.hasNext() ? mine.next() : null;
            } else { // one the target lacks, in conflict or not: its directory, copied from the source, binds it
                wanted.add(s.vnode());
            }
        }
        while (m != null) {
            if (!inConflict(target, m.number())) {
                extra.add(m.number());
            }
            if (extra.size() >= MAX_EXTRA && mine.hasNext()) {
                return new Differences(wanted, extra, m.number());
            }
            m = mine.hasNext() ? mine.next() : null;
        }
        return new Differences(wanted, extra);
    }

    /**
     * An object in conflict on the target keeps the target's own version: a catch-up never copies over it (nor
     * removes it), or the version the repair may choose would be lost. Its vector stays unequal until repair. One the
     * target does not hold is copied (the source's directory, copied too, names it).
     */
    private static boolean inConflict(Volume target, long vnode) {
        return target.conflicts().ofObject(vnode) != null;
    }

    /**
     * The asked-for vnodes whole, in the order asked, until about {@link #BYTE_BUDGET} bytes (at least one).
     * A directory whose entries do not fit in what is left is cut and listed as incomplete.
     */
    public static Images images(Volume volume, List<Long> numbers) {
        return images(volume, numbers, BYTE_BUDGET);
    }

    /** As {@link #images(Volume, List)}, cut at about {@code pageBytes}. */
    public static Images images(Volume volume, List<Long> numbers, int pageBytes) {
        List<VolumeSnapshot.VnodeRecord> images = new ArrayList<>();
        List<Long> incomplete = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        int budget = pageBytes;
        for (Long number : numbers) {
            Vnode v = volume.vnode(number);
            if (v == null) {
                missing.add(number);
                continue;
            }
            int cost = VNODE_RECORD_BYTES + FrameBudget.text(v.owner()) + FrameBudget.text(v.symlinkTarget());
            if (budget - cost < 0 && !images.isEmpty()) {
                break;
            }
            budget -= cost;
            List<VolumeSnapshot.EntryRecord> entries = List.of();
            if (v.isDirectory()) {
                Entries first = entries(v, null, Math.max(budget, 4096));
                entries = first.entries();
                budget -= cost(entries);
                if (!first.last()) {
                    incomplete.add(number);
                }
            }
            images.add(v.toRecord(entries));
            if (budget <= 0) {
                break;
            }
        }
        return new Images(images, incomplete, missing);
    }

    /** Entries of {@code dir} after the name {@code after} (from the first if null), up to {@code budget} bytes. */
    public static Entries entries(Vnode dir, String after, int budget) {
        List<VolumeSnapshot.EntryRecord> slice = new ArrayList<>();
        var tail = after == null ? dir.entries() : dir.entries().tailMap(after, false);
        int left = budget;
        for (var e : tail.entrySet()) {
            int cost = entryCost(e.getKey());
            if (left - cost < 0 && !slice.isEmpty()) {
                return new Entries(slice, false);
            }
            left -= cost;
            DirectoryEntry d = e.getValue();
            slice.add(new VolumeSnapshot.EntryRecord(e.getKey(), d.vnode(), d.unique(), d.type()));
        }
        return new Entries(slice, true);
    }

    /** True when the target holds exactly the source's version of every vnode of the page. */
    public static boolean same(Differences differences) {
        return differences.wanted().isEmpty() && differences.extra().isEmpty();
    }

    private static int cost(List<VolumeSnapshot.EntryRecord> entries) {
        int total = 0;
        for (VolumeSnapshot.EntryRecord e : entries) {
            total += entryCost(e.name());
        }
        return total;
    }

    private static int entryCost(String name) {
        return ENTRY_RECORD_BYTES + FrameBudget.text(name);
    }
}

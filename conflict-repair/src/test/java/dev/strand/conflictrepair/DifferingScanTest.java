package dev.strand.conflictrepair;

import dev.strand.replication.VersionVector;
import dev.strand.volume.VnodeSync;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The paged scan finds exactly the numbers the one-shot {@link FullComparison#differing} finds, whatever the pages,
 * while holding at most a page per replica, and stops listing once more than its limit differ.
 */
class DifferingScanTest {

    /** Replica listings: vnodes 1..40, each present on a replica or not, in one of three versions. */
    private static List<List<VnodeSync.Summary>> listings(Random random, int replicas) {
        List<List<VnodeSync.Summary>> listings = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            listings.add(new ArrayList<>());
        }
        for (long vnode = 1; vnode <= 40; vnode++) {
            boolean differs = random.nextInt(4) == 0;
            for (int r = 0; r < replicas; r++) {
                if (differs && random.nextInt(3) == 0) {
                    continue; // absent here
                }
                long version = differs ? random.nextInt(3) : 0;
                listings.get(r).add(new VnodeSync.Summary(vnode, 7, version,
                        VersionVector.fromList(List.of(version, 1L))));
            }
        }
        return listings;
    }

    /** Runs the scan as the coordinator does, {@code page} summaries a page, counting each replica's pages. */
    private static void scan(DifferingScan scan, List<List<VnodeSync.Summary>> listings, int page,
                             List<Integer> pagesAsked) {
        while (!scan.finished() && !scan.overLimit()) {
            for (int r : scan.wanted()) {
                pagesAsked.set(r, pagesAsked.get(r) + 1);
                long after = scan.after(r);
                List<VnodeSync.Summary> rest = listings.get(r).stream().filter(s -> s.vnode() > after).toList();
                scan.take(r, rest.subList(0, Math.min(page, rest.size())), rest.size() <= page);
            }
            for (int r = 0; r < listings.size(); r++) {
                assertThat(scan.held(r)).isLessThanOrEqualTo(page); // never more than a page per replica
            }
            scan.compare();
        }
    }

    @Property(tries = 500)
    void findsWhatTheOneShotComparisonFinds(@ForAll @IntRange(min = 1, max = 3) int replicas,
                                            @ForAll @IntRange(min = 1, max = 12) int page,
                                            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed) {
        List<List<VnodeSync.Summary>> listings = listings(new Random(seed), replicas);
        DifferingScan scan = new DifferingScan(replicas, Integer.MAX_VALUE);
        List<Integer> asked = new ArrayList<>(java.util.Collections.nCopies(replicas, 0));

        scan(scan, listings, page, asked);

        assertThat(scan.finished()).isTrue();
        assertThat(scan.differing()).isEqualTo(FullComparison.differing(listings));
        for (int r = 0; r < replicas; r++) { // every page asked once: none read twice, none skipped
            int size = listings.get(r).size();
            assertThat(asked.get(r)).isEqualTo(Math.max(1, (size + page - 1) / page));
        }
    }

    @Test
    void aReplicaIsAskedForItsNextPageOnlyOnceAllItSentIsCompared() {
        VersionVector v = VersionVector.fromList(List.of(1L));
        DifferingScan scan = new DifferingScan(2, 10);
        assertThat(scan.wanted()).containsExactly(0, 1);
        scan.take(0, List.of(new VnodeSync.Summary(1, 1, 1, v), new VnodeSync.Summary(2, 1, 1, v),
                new VnodeSync.Summary(3, 1, 1, v)), true);
        scan.take(1, List.of(new VnodeSync.Summary(1, 1, 1, v)), false);
        scan.compare();
        // vnode 1 is known on both; 2 and 3 may still come from replica 1: held, not compared
        assertThat(scan.differing()).isEmpty();
        assertThat(scan.wanted()).containsExactly(1);
        assertThat(scan.after(1)).isEqualTo(1);
        scan.take(1, List.of(new VnodeSync.Summary(3, 1, 2, v)), true);
        scan.compare();
        assertThat(scan.differing()).containsExactly(2L, 3L);
        assertThat(scan.finished()).isTrue();
    }

    @Test
    void moreThanTheLimitDifferingStopsTheScanWithoutListingTheRest() {
        VersionVector v = VersionVector.fromList(List.of(1L));
        List<List<VnodeSync.Summary>> listings = List.of(new ArrayList<>(), new ArrayList<>());
        for (long vnode = 1; vnode <= 100; vnode++) {
            listings.get(0).add(new VnodeSync.Summary(vnode, 1, 1, v));
            listings.get(1).add(new VnodeSync.Summary(vnode, 1, 2, v)); // every one differs
        }
        DifferingScan scan = new DifferingScan(2, 5);
        List<Integer> asked = new ArrayList<>(List.of(0, 0));

        scan(scan, listings, 4, asked);

        assertThat(scan.overLimit()).isTrue();
        assertThat(scan.wanted()).isEmpty();
        assertThat(asked).containsExactly(2, 2); // 8 compared, 6 differing found: the other 92 are never listed
    }
}

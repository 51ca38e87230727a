package dev.strand.replication;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The algebra that replication relies on: merge is a join, compare a partial order. */
class VersionVectorPropertiesTest {

    private static final int SLOTS = 3;

    @Provide
    Arbitrary<VersionVector> vectors() {
        // small counters so that equal and dominating pairs come up often, not only concurrent ones
        return Arbitraries.longs().between(0, 3).list().ofSize(SLOTS).map(VersionVector::fromList);
    }

    @Provide
    Arbitrary<Tuple.Tuple2<VersionVector, Integer>> vectorsWithSlot() {
        return Combinators.combine(vectors(), Arbitraries.integers().between(0, SLOTS - 1)).as(Tuple::of);
    }

    @Property
    void mergeIsCommutative(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
    }

    @Property
    void mergeIsAssociative(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                            @ForAll("vectors") VersionVector c) {
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
    }

    @Property
    void mergeIsIdempotent(@ForAll("vectors") VersionVector a) {
        assertThat(a.merge(a)).isEqualTo(a);
    }

    @Property
    void mergeIncludesBothInputs(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        VersionVector merged = a.merge(b);
        assertThat(merged.compare(a)).isIn(VersionOrder.EQUAL, VersionOrder.DOMINATES);
        assertThat(merged.compare(b)).isIn(VersionOrder.EQUAL, VersionOrder.DOMINATES);
    }

    @Property
    void mergeOfAVectorWithOneItIncludesIsTheLarger(@ForAll("vectors") VersionVector a,
                                                    @ForAll("vectors") VersionVector b) {
        if (a.includes(b)) {
            assertThat(a.merge(b)).isEqualTo(a);
        }
    }

    @Property
    void incrementDominatesTheOldVector(@ForAll("vectorsWithSlot") Tuple.Tuple2<VersionVector, Integer> v) {
        VersionVector before = v.get1();
        VersionVector after = before.increment(v.get2());
        assertThat(after.compare(before)).isEqualTo(VersionOrder.DOMINATES);
        assertThat(after.total()).isEqualTo(before.total() + 1);
    }

    @Property
    void incrementsInDifferentSlotsAreConcurrent(@ForAll("vectors") VersionVector base,
                                                 @ForAll @IntRange(min = 0, max = SLOTS - 1) int slotA,
                                                 @ForAll @IntRange(min = 0, max = SLOTS - 1) int slotB) {
        if (slotA != slotB) {
            assertThat(base.increment(slotA).compare(base.increment(slotB))).isEqualTo(VersionOrder.CONCURRENT);
        }
    }

    @Property
    void compareIsAntisymmetric(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertThat(b.compare(a)).isEqualTo(a.compare(b).reversed());
    }

    @Property
    void compareIsEqualExactlyForEqualVectors(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertThat(a.compare(b) == VersionOrder.EQUAL).isEqualTo(a.equals(b));
    }

    @Property
    void dominanceIsTransitive(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                               @ForAll("vectors") VersionVector c) {
        if (a.compare(b) == VersionOrder.DOMINATES && b.compare(c) == VersionOrder.DOMINATES) {
            assertThat(a.compare(c)).isEqualTo(VersionOrder.DOMINATES);
        }
    }

    @Property
    void listFormRoundTrips(@ForAll("vectors") VersionVector a) {
        List<Long> wire = a.toList();
        assertThat(VersionVector.fromList(wire)).isEqualTo(a).hasSameHashCodeAs(a);
    }

    @Property
    void incrementLeavesTheOriginalUnchanged(@ForAll("vectorsWithSlot") Tuple.Tuple2<VersionVector, Integer> v) {
        List<Long> before = v.get1().toList();
        v.get1().increment(v.get2());
        assertThat(v.get1().toList()).isEqualTo(before);
    }
}

package dev.strand.replication;

import dev.strand.protocol.WireCodec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionVectorTest {

    @Test
    void aNewVectorHasOneZeroCounterPerSlot() {
        assertThat(VersionVector.ofSize(3).toList()).containsExactly(0L, 0L, 0L);
    }

    @Test
    void incrementBumpsOnlyItsSlot() {
        assertThat(VersionVector.ofSize(3).increment(1).increment(1).toList()).containsExactly(0L, 2L, 0L);
    }

    @Test
    void mergeTakesTheLargerCounterOfEachSlot() {
        VersionVector a = VersionVector.fromList(List.of(3L, 0L, 1L));
        VersionVector b = VersionVector.fromList(List.of(1L, 2L, 1L));
        assertThat(a.merge(b).toList()).containsExactly(3L, 2L, 1L);
    }

    @Test
    void vectorsOfDifferentStorageGroupsCannotBeCompared() {
        assertThatThrownBy(() -> VersionVector.ofSize(1).compare(VersionVector.ofSize(2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeCountersAreRefused() {
        assertThatThrownBy(() -> VersionVector.fromList(List.of(1L, -1L)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSlotOutsideTheVectorIsRefused() {
        assertThatThrownBy(() -> VersionVector.ofSize(1).increment(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void serialisesAsAPlainListOfCounters() throws Exception {
        VersionVector vector = VersionVector.fromList(List.of(4L, 0L, 7L));
        byte[] cbor = WireCodec.mapper().writeValueAsBytes(vector);

        assertThat(WireCodec.mapper().readValue(cbor, List.class)).containsExactly(4, 0, 7);
        assertThat(WireCodec.mapper().readValue(cbor, VersionVector.class)).isEqualTo(vector);
    }

    @Test
    void differentVectorsWithTheSameDataVersionAreWeaklyEqual() {
        VersionVector a = VersionVector.fromList(List.of(2L, 1L, 1L));
        VersionVector b = VersionVector.fromList(List.of(1L, 2L, 1L));
        assertThat(VersionVector.weaklyEqual(a, 7, b, 7)).isTrue();
        assertThat(VersionVector.weaklyEqual(a, 7, b, 8)).isFalse();
        assertThat(VersionVector.weaklyEqual(a, 7, a, 7))
                .as("equal vectors are equal, not weakly equal").isFalse();
    }
}

package dev.strand.cop2;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PendingCop2Test {

    @Test
    void anOperationWaitsUntilItsUpdateSetArrives() {
        PendingCop2 table = new PendingCop2();
        table.record(7, List.of(1L, 4L), 1000);

        assertThat(table.size()).isEqualTo(1);
        assertThat(table.pending(7).vnodes()).containsExactly(1L, 4L);

        PendingCop2.Entry done = table.complete(7);
        assertThat(done.vnodes()).containsExactly(1L, 4L);
        assertThat(table.size()).isZero();
        assertThat(table.pending(7)).isNull();
        assertThat(table.complete(7)).as("a second update set for the same op finds nothing").isNull();
    }

    @Test
    void anUnknownOperationHasNoEntry() {
        assertThat(new PendingCop2().complete(42)).isNull();
    }

    @Test
    void entriesOlderThanTheCutoffExpireAndTheOthersStay() {
        PendingCop2 table = new PendingCop2();
        table.record(1, List.of(1L), 100);
        table.record(2, List.of(2L), 500);
        table.record(3, List.of(3L), 900);

        List<PendingCop2.Entry> expired = table.expireRecordedBefore(600);

        assertThat(expired).extracting(PendingCop2.Entry::opId).containsExactly(1L, 2L);
        assertThat(table.entries()).extracting(PendingCop2.Entry::opId).containsExactly(3L);
        assertThat(table.complete(1)).as("an expired op's update set is ignored").isNull();
    }

    @Test
    void aCopyHoldsTheSameEntriesInTheSameOrder() {
        PendingCop2 table = new PendingCop2();
        table.record(5, List.of(1L), 10);
        table.record(3, List.of(2L, 3L), 20);

        PendingCop2 copy = PendingCop2.of(table.entries());

        assertThat(copy.entries()).isEqualTo(table.entries());
        copy.complete(5);
        assertThat(table.size()).as("the copy is independent").isEqualTo(2);
    }

    @Test
    void aSecondOperationUnderAPendingIdIsRefusedAndTheFirstKept() {
        PendingCop2 table = new PendingCop2();
        assertThat(table.record(9, List.of(1L), 10)).isTrue();

        assertThat(table.record(9, List.of(2L, 3L), 20)).as("a repeated id is flagged").isFalse();

        assertThat(table.pending(9).vnodes()).as("the first operation's vnodes stay").containsExactly(1L);
        assertThat(table.size()).isEqualTo(1);
    }
}

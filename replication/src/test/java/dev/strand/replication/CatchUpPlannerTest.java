package dev.strand.replication;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CatchUpPlannerTest {

    private static VersionVector v(long... counters) {
        return VersionVector.fromList(Arrays.stream(counters).boxed().toList());
    }

    private static StorageGroup behind(int size, int... replicas) {
        StorageGroup group = new StorageGroup(size);
        for (int r : replicas) {
            group.markBehind(r);
        }
        return group;
    }

    @Test
    void aTargetDominatedByACurrentReplicaCopiesFromIt() {
        var plan = CatchUpPlanner.plan(2, List.of(v(3, 3, 1), v(3, 3, 1), v(1, 1, 1)), behind(3, 2));

        assertThat(plan).isEqualTo(new CatchUpPlanner.Plan.CopyFrom(0));
    }

    @Test
    void aReplicaThatIsBehindIsNeverASource() {
        var plan = CatchUpPlanner.plan(2, List.of(v(3, 3, 1), v(3, 3, 1), v(1, 1, 1)), behind(3, 0, 2));

        assertThat(plan).isEqualTo(new CatchUpPlanner.Plan.CopyFrom(1));
    }

    @Test
    void aTargetAheadInSomeSlotHasItsPendingOperationsChecked() {
        var plan = CatchUpPlanner.plan(1, List.of(v(3, 1), v(2, 2)), behind(2, 1));

        assertThat(plan).isEqualTo(new CatchUpPlanner.Plan.CheckPending(0));
    }

    @Test
    void aSilentTargetIsRetriedAndWithNoCurrentReplicaAllAreJudgedAgain() {
        assertThat(CatchUpPlanner.plan(1, Arrays.asList(v(1, 1), null), behind(2, 1)))
                .isInstanceOf(CatchUpPlanner.Plan.Retry.class);
        assertThat(CatchUpPlanner.plan(1, List.of(v(1, 1), v(1, 1)), behind(2, 0, 1)))
                .isInstanceOf(CatchUpPlanner.Plan.Rejudge.class);
    }

    @Test
    void anOwnSlotAheadOnlyByOperationsOthersCommittedWithoutItIsLostAnswersNotDivergence() {
        // replica 1 applied op 7 and 8, whose answers were lost; the others committed them without it
        Map<Long, Integer> committed = Map.of(7L, 0b01, 8L, 0b01);
        VersionVector mine = v(5, 7);
        VersionVector theirs = v(5, 5);

        assertThat(CatchUpPlanner.excessExplained(1, mine, theirs, List.of(7L, 8L), committed::get)).isTrue();
        assertThat(CatchUpPlanner.excessExplained(1, mine, theirs, List.of(7L), committed::get))
                .as("one bump unexplained").isFalse();
        assertThat(CatchUpPlanner.excessExplained(1, mine, theirs, List.of(7L, 9L), committed::get))
                .as("an operation no one else committed").isFalse();
        assertThat(CatchUpPlanner.excessExplained(1, v(6, 7), theirs, List.of(7L, 8L), committed::get))
                .as("ahead in another replica's slot").isFalse();
    }

    @Test
    void roundsEndWhenCloseEnoughOrAfterTheMostOpenRoundsAndRetriesBackOffToAMaximum() {
        assertThat(CatchUpPlanner.lastRoundNext(CatchUpPlanner.CLOSE_ENOUGH, 1)).isTrue();
        assertThat(CatchUpPlanner.lastRoundNext(10_000, 1)).isFalse();
        assertThat(CatchUpPlanner.lastRoundNext(10_000, CatchUpPlanner.MAX_OPEN_ROUNDS)).isTrue();
        assertThat(CatchUpPlanner.retryDelayMillis(1)).isEqualTo(500);
        assertThat(CatchUpPlanner.retryDelayMillis(50)).isEqualTo(CatchUpPlanner.MAX_BACKOFF_MILLIS);
    }
}

package dev.strand.replication;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StorageGroupTest {

    private static VersionVector v(long... counters) {
        return VersionVector.fromList(Arrays.stream(counters).boxed().toList());
    }

    @Test
    void aReplicaWhoseVectorIsDominatedOrThatDidNotAnswerIsBehind() {
        StorageGroup group = new StorageGroup(3);

        List<Integer> behind = group.judge(Arrays.asList(v(2, 2, 2), v(1, 1, 1), null));

        assertThat(behind).containsExactly(1, 2);
        assertThat(group.available()).isEqualTo(1);
        assertThat(group.state(0, false)).isEqualTo(ReplicaState.CURRENT);
        assertThat(group.state(1, false)).isEqualTo(ReplicaState.BEHIND);
        assertThat(group.state(1, true)).isEqualTo(ReplicaState.CATCHING_UP);
    }

    @Test
    void concurrentVectorsAreBothDivergedAndNeitherServes() {
        StorageGroup group = new StorageGroup(2);

        assertThat(group.judge(List.of(v(2, 1), v(1, 2)))).containsExactly(0, 1);
        assertThat(group.available()).isZero();
        assertThat(group.state(0, false)).isEqualTo(ReplicaState.DIVERGED);
        assertThat(group.state(1, false)).isEqualTo(ReplicaState.DIVERGED);
        assertThat(group.anyDiverged()).isTrue();
        assertThat(group.readTarget(Set.of())).as("no read may lose the other's write").isEqualTo(-1);
    }

    @Test
    void theIssuesCaseThreeReplicasPairwiseConcurrentAreAllDiverged() {
        StorageGroup group = new StorageGroup(3);

        assertThat(group.judge(List.of(v(4, 2, 2), v(2, 3, 2), v(2, 2, 3)))).containsExactly(0, 1, 2);
        assertThat(group.anyCurrent()).isFalse();
        for (int i = 0; i < 3; i++) {
            assertThat(group.state(i, false)).isEqualTo(ReplicaState.DIVERGED);
        }
    }

    @Test
    void equalReplicasConcurrentWithAThirdAreDivergedTooAndADominatedOneIsOnlyBehind() {
        StorageGroup group = new StorageGroup(4);

        group.judge(List.of(v(3, 3, 2, 1), v(3, 3, 2, 1), v(2, 2, 3, 1), v(1, 1, 1, 1)));

        assertThat(group.state(0, false)).isEqualTo(ReplicaState.DIVERGED);
        assertThat(group.state(1, false)).isEqualTo(ReplicaState.DIVERGED);
        assertThat(group.state(2, false)).isEqualTo(ReplicaState.DIVERGED);
        assertThat(group.state(3, false)).as("dominated: catches up").isEqualTo(ReplicaState.BEHIND);
    }

    @Test
    void aVectorConcurrentOnlyWithADominatedOneIsCurrent() {
        // [1,3] is dominated by [3,3]; [3,2] is concurrent with [1,3] but dominated too; [3,3] alone is the latest
        assertThat(StorageGroup.compare(Arrays.asList(v(3, 3), v(1, 3), null)))
                .containsExactly(StorageGroup.Verdict.CURRENT, StorageGroup.Verdict.DOMINATED,
                        StorageGroup.Verdict.UNKNOWN);
        StorageGroup group = new StorageGroup(3);
        assertThat(group.judge(Arrays.asList(v(3, 3, 0), v(1, 3, 0), v(3, 2, 0)))).containsExactly(1, 2);
        assertThat(group.anyDiverged()).isFalse();
    }

    @Test
    void equalVectorsAreCurrentAndAJudgementAgainClearsAnOldDivergence() {
        StorageGroup group = new StorageGroup(2);
        group.judge(List.of(v(2, 1), v(1, 2)));

        assertThat(group.judge(List.of(v(3, 3), v(3, 3)))).isEmpty();
        assertThat(group.anyDiverged()).isFalse();
        assertThat(group.available()).isEqualTo(2);
    }

    @Test
    void whenNoReplicaAnsweredNothingIsKnownAndEveryReplicaServes() {
        StorageGroup group = new StorageGroup(2);

        assertThat(group.judge(Arrays.asList(null, null))).isEmpty();
        assertThat(group.available()).isEqualTo(2);
    }

    @Test
    void readsGoToAnsweringCurrentReplicasFirstAndNeverToOneBehind() {
        StorageGroup group = new StorageGroup(3);
        group.markBehind(0);
        group.answered(1, false);

        assertThat(group.readTarget(Set.of())).as("answering and current").isEqualTo(2);
        assertThat(group.readTarget(Set.of(2))).as("then current though silent").isEqualTo(1);
        assertThat(group.readTarget(Set.of(1, 2))).as("never one behind").isEqualTo(-1);
    }

    @Test
    void aReplicaBroughtUpToDateIsCurrentAgain() {
        StorageGroup group = new StorageGroup(2);
        assertThat(group.markBehind(1)).isTrue();
        assertThat(group.markBehind(1)).as("already behind").isFalse();
        group.markDiverged(1, true);
        assertThat(group.state(1, false)).isEqualTo(ReplicaState.DIVERGED);

        group.markCurrent(1);

        assertThat(group.state(1, false)).isEqualTo(ReplicaState.CURRENT);
        assertThat(group.isAnswering(1)).isTrue();
        assertThat(ReplicaState.CATCHING_UP.label()).isEqualTo("catching-up");
    }
}

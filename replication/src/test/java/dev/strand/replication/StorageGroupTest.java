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
    void concurrentVectorsAreBothCurrent() {
        StorageGroup group = new StorageGroup(2);

        assertThat(group.judge(List.of(v(2, 1), v(1, 2)))).isEmpty();
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

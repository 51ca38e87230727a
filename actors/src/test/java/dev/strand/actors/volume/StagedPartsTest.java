package dev.strand.actors.volume;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StagedPartsTest {

    private final StagedParts<String, Integer> staged = new StagedParts<>(100);

    @Test
    void thePartsOfOneWriteAreTakenOnceInArrivalOrder() {
        assertThat(staged.add(7, 10, List.of("a"), List.of(1))).isTrue();
        assertThat(staged.add(7, 10, List.of("b"), List.of(2))).isTrue();
        assertThat(staged.count()).isEqualTo(4);

        StagedParts.Taken<String, Integer> taken = staged.take(7);
        assertThat(taken.first()).containsExactly("a", "b");
        assertThat(taken.second()).containsExactly(1, 2);
        assertThat(staged.take(7)).as("used once").isNull();
    }

    @Test
    void partsOfAnotherWriteReplaceWhatWasStaged() {
        staged.add(7, 10, List.of("a"), List.of());
        staged.add(8, 10, List.of("b"), List.of());

        assertThat(staged.take(7)).isNull();
        assertThat(staged.add(8, 10, List.of("c"), List.of())).isTrue();
        assertThat(staged.take(8).first()).containsExactly("c");
    }

    @Test
    void partsPastTheBoundDropEverything() {
        assertThat(staged.add(7, 60, List.of("a"), List.of())).isTrue();
        assertThat(staged.add(7, 41, List.of("b"), List.of())).isFalse();

        assertThat(staged.count()).isZero();
        assertThat(staged.take(7)).isNull();
    }

    @Test
    void aWriteThatNamesNoStagingTakesNothing() {
        staged.add(7, 10, List.of("a"), List.of());
        assertThat(staged.take(0)).isNull();
        assertThat(staged.count()).as("and what was staged is dropped").isZero();
    }
}

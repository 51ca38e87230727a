package dev.strand.cop2;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OperationIdsTest {

    /** What the old coordinator used: the wall clock times 1000, here in the year 2255. */
    private static final long WALL_CLOCK_ID_IN_2255 = 9_000_000_000_000L * 1000;

    @Test
    void aCoordinatorHasNoIdUntilItHoldsALease() {
        OperationIds ids = new OperationIds();
        assertThat(ids.available()).isFalse();
        assertThat(ids.wantsLease()).isTrue();
        assertThatThrownBy(ids::take).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void coordinatorsThatFollowEachOtherNeverHandOutTheSameId() {
        // the registry's counter as it persists it: each lease starts where the last ended
        long registryCounter = 0;
        Set<Long> seen = new HashSet<>();
        for (int incarnation = 0; incarnation < 5; incarnation++) { // a restart, a move to a skewed node...
            OperationIds ids = new OperationIds();
            long first = OperationIds.leaseAfter(registryCounter);
            registryCounter = first + 100;
            ids.lease(first, 100);
            for (int i = 0; i < 40; i++) {
                assertThat(seen.add(ids.take())).as("a fresh id").isTrue();
            }
        }
        assertThat(seen).allMatch(id -> id > WALL_CLOCK_ID_IN_2255, "above every id older code wrote");
    }

    @Test
    void aNewLeaseIsWantedAtHalfAndUsedWhenTheCurrentOneRunsOut() {
        OperationIds ids = new OperationIds();
        ids.lease(OperationIds.FIRST, 10);
        for (int i = 0; i < 5; i++) {
            ids.take();
            assertThat(ids.wantsLease()).isEqualTo(i == 4);
        }
        ids.lease(OperationIds.FIRST + 1000, 10);
        assertThat(ids.wantsLease()).as("one spare is enough").isFalse();
        for (int i = 5; i < 10; i++) {
            assertThat(ids.take()).isEqualTo(OperationIds.FIRST + i);
        }
        assertThat(ids.take()).isEqualTo(OperationIds.FIRST + 1000);
    }

    @Test
    void anExhaustedLeaseWithoutSpareHandsOutNothing() {
        OperationIds ids = new OperationIds();
        ids.lease(OperationIds.FIRST, 2);
        ids.take();
        ids.take();
        assertThat(ids.available()).isFalse();
        assertThatThrownBy(ids::take).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theIdSpaceEndsWithAnErrorNotAWrap() {
        assertThatThrownBy(() -> OperationIds.leaseAfter(Long.MAX_VALUE - 5))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new OperationIds().lease(12345, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.strand.actors.cluster;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Which members' regions the strategy waits for: up, not registered, and not for longer than the bound (5 s). */
class ReplicaAllocationStrategyTest {
    private static final String A = "127.0.0.1:25520";
    private static final String B = "127.0.0.1:25521";
    private static final String C = "127.0.0.1:25522";
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final ReplicaAllocationStrategy strategy = new ReplicaAllocationStrategy();

    @Test
    void aMemberThatIsUpWithoutARegisteredRegionIsAwaited() {
        assertThat(strategy.awaitedNodes(Set.of(A, B), Set.of(A, B, C), 0)).containsExactly(C);
    }

    @Test
    void aMemberIsAwaitedAtMostTheRegionWaitAfterItWasFirstSeenWithoutARegion() {
        strategy.awaitedNodes(Set.of(A, B), Set.of(A, B, C), 0);

        assertThat(strategy.awaitedNodes(Set.of(A, B), Set.of(A, B, C), 4 * SECOND)).containsExactly(C);
        assertThat(strategy.awaitedNodes(Set.of(A, B), Set.of(A, B, C), 5 * SECOND)).isEmpty();
    }

    @Test
    void aMemberThatRegisteredAndLaterCameBackWithoutARegionIsAwaitedAfresh() {
        strategy.awaitedNodes(Set.of(A, B), Set.of(A, B, C), 0);
        strategy.awaitedNodes(Set.of(A, B, C), Set.of(A, B, C), SECOND); // registered

        assertThat(strategy.awaitedNodes(Set.of(A, B), Set.of(A, B, C), 60 * SECOND)).containsExactly(C);
    }

    @Test
    void membersThatAreNotUpAreNotAwaited() {
        assertThat(strategy.awaitedNodes(Set.of(A), Set.of(A), 0)).isEmpty();
    }
}

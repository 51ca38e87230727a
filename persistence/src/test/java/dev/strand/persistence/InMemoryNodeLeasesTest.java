package dev.strand.persistence;

import dev.strand.persistence.NodeLeases.Owner;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory store keeps the Cassandra store's semantics (CassandraNodeLeasesIT checks the same there). */
class InMemoryNodeLeasesTest {

    private static final Duration TTL = Duration.ofSeconds(5);

    private final AtomicLong nanos = new AtomicLong();
    private final InMemoryNodeLeases leases = new InMemoryNodeLeases(nanos::get);

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private Owner hold(String node) {
        UUID generation = UUID.randomUUID();
        assertThat(join(leases.acquire(node, generation, TTL))).isTrue();
        return new Owner(node, generation);
    }

    @Test
    void aLeaseIsHeldByOneGenerationUntilItsTimeToLiveEnds() {
        Owner a = hold("a");
        assertThat(join(leases.acquire("a", UUID.randomUUID(), TTL))).isFalse();
        nanos.addAndGet(TTL.toNanos() - 1);
        assertThat(join(leases.renew("a", a.generation(), TTL))).isTrue();
        nanos.addAndGet(TTL.toNanos());

        assertThat(join(leases.generation("a"))).isEmpty();
        assertThat(join(leases.renew("a", a.generation(), TTL))).isFalse();
    }

    @Test
    void aClaimWaitsForALiveOwnerAndTakesOverOnceItsLeaseEnds() {
        Owner a = hold("a");
        Owner b = hold("b");
        assertThat(join(leases.claim("volume-1.0", a))).isEmpty();
        assertThat(join(leases.claim("volume-1.0", b))).contains(a);

        assertThat(join(leases.release("a", UUID.randomUUID()))).isFalse();
        assertThat(join(leases.releaseDead("a"))).isTrue();

        assertThat(join(leases.claim("volume-1.0", b))).isEmpty();
        assertThat(join(leases.releaseOwner("volume-1.0", a))).isFalse();
        assertThat(join(leases.releaseOwner("volume-1.0", b))).isTrue();
    }
}

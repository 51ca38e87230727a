package dev.strand.it.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strand.it.support.SharedCassandra;
import dev.strand.persistence.CassandraChunkStore;
import dev.strand.persistence.CassandraNodeLeases;
import dev.strand.persistence.NodeLeases.Owner;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lightweight transactions of the node leases and replica owners, on the shared test Cassandra. */
class CassandraNodeLeasesIT {

    private static final String KEYSPACE = SharedCassandra.uniqueKeyspace("node_leases_it");
    private static final Duration LONG = Duration.ofMinutes(5);

    private static CassandraChunkStore chunks;
    private static CassandraNodeLeases leases;

    private final String nodeA = "127.0.0.1:" + (20000 + (int) (Math.random() * 10000)) + "#" + UUID.randomUUID();
    private final String nodeB = nodeA + "-b";
    private final String persistenceId = "volume-" + UUID.randomUUID() + ".0";

    @BeforeAll
    static void connect() {
        chunks = CassandraChunkStore.connect(SharedCassandra.host(), SharedCassandra.port(), KEYSPACE, 1);
        leases = CassandraNodeLeases.create(chunks);
    }

    @AfterAll
    static void close() {
        if (chunks != null) {
            chunks.close();
        }
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private Owner hold(String node, Duration ttl) {
        UUID generation = UUID.randomUUID();
        assertThat(join(leases.acquire(node, generation, ttl))).isTrue();
        return new Owner(node, generation);
    }

    @Test
    void aLeaseRowIsTakenOnceAndRenewedOnlyByItsGeneration() {
        Owner a = hold(nodeA, LONG);

        assertThat(join(leases.acquire(nodeA, UUID.randomUUID(), LONG))).isFalse();
        assertThat(join(leases.acquire(nodeA, a.generation(), LONG))).isTrue(); // a retry of its own acquisition
        assertThat(join(leases.renew(nodeA, a.generation(), LONG))).isTrue();
        assertThat(join(leases.renew(nodeA, UUID.randomUUID(), LONG))).isFalse();
        assertThat(join(leases.generation(nodeA))).contains(a.generation());
    }

    @Test
    void aLeaseRowNotRenewedEndsAfterItsTimeToLiveAndCannotBeRenewedThen() {
        Owner a = hold(nodeA, Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(20)).until(() -> join(leases.generation(nodeA)).isEmpty());
        assertThat(join(leases.renew(nodeA, a.generation(), LONG))).isFalse();
        assertThat(join(leases.acquire(nodeA, UUID.randomUUID(), LONG))).isTrue();
    }

    @Test
    void aRenewalExtendsTheTimeToLive() {
        Owner a = hold(nodeA, Duration.ofSeconds(1));
        assertThat(join(leases.renew(nodeA, a.generation(), LONG))).isTrue();
        hold(nodeB, Duration.ofSeconds(1)); // the same age, not renewed

        await().atMost(Duration.ofSeconds(20)).until(() -> join(leases.generation(nodeB)).isEmpty());
        assertThat(join(leases.generation(nodeA))).contains(a.generation());
    }

    @Test
    void releaseDeletesOnlyItsOwnGenerationAndReleaseDeadAnyGeneration() {
        Owner a = hold(nodeA, LONG);
        assertThat(join(leases.release(nodeA, UUID.randomUUID()))).isFalse();
        assertThat(join(leases.release(nodeA, a.generation()))).isTrue();
        assertThat(join(leases.generation(nodeA))).isEmpty();

        hold(nodeA, LONG);
        assertThat(join(leases.releaseDead(nodeA))).isTrue();
        assertThat(join(leases.generation(nodeA))).isEmpty();
        assertThat(join(leases.releaseDead(nodeA))).isFalse();
    }

    @Test
    void aClaimWaitsForALiveOwnerAndTakesOverOnceItsLeaseIsGone() {
        Owner a = hold(nodeA, LONG);
        Owner b = hold(nodeB, LONG);
        assertThat(join(leases.claim(persistenceId, a))).isEmpty();
        assertThat(join(leases.claim(persistenceId, a))).isEmpty(); // its own claim again

        assertThat(join(leases.claim(persistenceId, b))).contains(a);

        assertThat(join(leases.releaseDead(nodeA))).isTrue();
        assertThat(join(leases.claim(persistenceId, b))).isEmpty();
        // the old owner's new generation does not take it back while b's lease lives
        Owner aAgain = hold(nodeA, LONG);
        assertThat(join(leases.claim(persistenceId, aAgain))).contains(b);
    }

    @Test
    void anOwnerReleasesOnlyItsOwnClaim() {
        Owner a = hold(nodeA, LONG);
        Owner b = hold(nodeB, LONG);
        assertThat(join(leases.claim(persistenceId, a))).isEmpty();

        assertThat(join(leases.releaseOwner(persistenceId, b))).isFalse();
        assertThat(join(leases.claim(persistenceId, b))).contains(a);
        assertThat(join(leases.releaseOwner(persistenceId, a))).isTrue();
        assertThat(join(leases.claim(persistenceId, b))).isEmpty();
    }

    /** Figures, not assertions on them: what a renewal and a replica's claim cost on this Cassandra. */
    @Test
    void printsWhatARenewalAndAClaimCost() {
        Owner a = hold(nodeA, LONG);
        int rounds = 50;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            assertThat(join(leases.renew(nodeA, a.generation(), LONG))).isTrue();
        }
        long renewal = (System.nanoTime() - start) / rounds;
        start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            assertThat(join(leases.claim(persistenceId + "-" + i, a))).isEmpty();
        }
        long claim = (System.nanoTime() - start) / rounds;
        System.out.printf("node lease renewal: %.2f ms, first claim of a persistence id: %.2f ms (mean of %d)%n",
                renewal / 1e6, claim / 1e6, rounds);
    }

    @Test
    void ofConcurrentClaimantsExactlyOneWins() {
        List<Owner> claimants = List.of(hold(nodeA, LONG), hold(nodeB, LONG), hold(nodeA + "-c", LONG));

        List<CompletableFuture<Optional<Owner>>> claims = claimants.stream()
                .map(claimant -> leases.claim(persistenceId, claimant).toCompletableFuture()).toList();
        List<Optional<Owner>> outcomes = claims.stream().map(CompletableFuture::join).toList();

        assertThat(outcomes.stream().filter(Optional::isEmpty).count()).isEqualTo(1);
        Owner winner = claimants.get(outcomes.indexOf(Optional.<Owner>empty()));
        assertThat(outcomes.stream().filter(Optional::isPresent).map(Optional::get)).containsOnly(winner);
    }
}

package dev.strand.actors.registry;

import dev.strand.actors.fencing.FencingSettings;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.cop2.OperationIds;
import dev.strand.persistence.InMemoryNodeLeases;
import dev.strand.protocol.Status;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry writes only under its node's lease (docs/architecture.md, "Fencing the writers"), so that a paused
 * node's old incarnation never leases operation ids beside the new one. The leases' clock is the test's: a pause is
 * a jump of it; the claim's retries run on the real scheduler.
 */
class VolumeRegistryFencingTest {

    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final FencingSettings FENCING =
            new FencingSettings(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1));

    // one actor system per test: the registry's persistence id is fixed
    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    /** The monotonic clock of both nodes and of the lease rows' expiry. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final InMemoryNodeLeases leases = new InMemoryNodeLeases(nanos::get);

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private NodeLease node(String id) {
        NodeLease lease = new NodeLease(leases, id, FENCING, nanos::get, () -> true);
        assertThat(lease.acquire().toCompletableFuture().join()).isTrue();
        return lease;
    }

    private void pause(Duration howLong) {
        nanos.addAndGet(howLong.toNanos());
    }

    private ActorRef<VolumeRegistry.Command> registry(NodeLease lease) {
        // no volume is created here: no replica is ever asked
        return testKit.spawn(VolumeRegistry.create(entityId -> {
            throw new AssertionError("no replica expected, asked for " + entityId);
        }, Duration.ofSeconds(3), lease));
    }

    private VolumeRegistry.Result leaseIds(ActorRef<VolumeRegistry.Command> registry,
                                           TestProbe<VolumeRegistry.Result> probe) {
        registry.tell(new VolumeRegistry.LeaseOperationIds(probe.getRef()));
        return probe.expectMessageClass(VolumeRegistry.Result.class, AWAIT);
    }

    private long firstLeased(ActorRef<VolumeRegistry.Command> registry) {
        VolumeRegistry.Result result = leaseIds(registry, testKit.createTestProbe());
        assertThat(result).isInstanceOf(VolumeRegistry.Result.OperationIdLease.class);
        return ((VolumeRegistry.Result.OperationIdLease) result).first();
    }

    private int journalled() {
        return journal.persistedInStorage(VolumeRegistry.PERSISTENCE_ID).size();
    }

    private static void assertUnavailable(VolumeRegistry.Result result) {
        assertThat(result).isInstanceOfSatisfying(VolumeRegistry.Result.Rejected.class,
                rejected -> assertThat(rejected.status()).isEqualTo(Status.UNAVAILABLE));
    }

    @Test
    void aRegistryWhoseLeaseExpiredDuringAPauseLeasesNoIdsPersistsNothingAndStops() {
        ActorRef<VolumeRegistry.Command> registry = registry(node("10.0.0.1:25520#1"));
        firstLeased(registry);
        int events = journalled();

        pause(FENCING.trusted()); // acquired at the start, never renewed: trusted no longer
        TestProbe<VolumeRegistry.Result> probe = testKit.createTestProbe();
        assertUnavailable(leaseIds(registry, probe));

        probe.expectTerminated(registry, AWAIT);
        assertThat(journalled()).isEqualTo(events);
    }

    @Test
    void aNewIncarnationWaitsForTheOldOwnersLeaseThenNeverRepeatsItsOperationIds() {
        NodeLease paused = node("10.0.0.1:25520#1");
        ActorRef<VolumeRegistry.Command> old = registry(paused);
        long oldFirst = firstLeased(old);

        NodeLease survivor = node("10.0.0.2:25520#2");
        ActorRef<VolumeRegistry.Command> fresh = registry(survivor);
        TestProbe<VolumeRegistry.Result> waiting = testKit.createTestProbe();
        fresh.tell(new VolumeRegistry.LeaseOperationIds(waiting.getRef()));
        waiting.expectNoMessage(Duration.ofMillis(500)); // claim retried several times: the old lease lives

        // the old node stays paused; the survivor renews, and the old lease row ends
        pause(FENCING.leaseDuration());
        survivor.renew().toCompletableFuture().join();
        assertThat(survivor.current()).isNotNull();

        long freshFirst = waiting.expectMessageClass(VolumeRegistry.Result.OperationIdLease.class, AWAIT).first();
        assertThat(freshFirst).isGreaterThanOrEqualTo(oldFirst + OperationIds.LEASE_SIZE);
        // the old incarnation, woken, refuses rather than lease the same ids again
        assertUnavailable(leaseIds(old, testKit.createTestProbe()));
    }
}

package dev.strand.actors.volume;

import dev.strand.actors.fencing.FencingSettings;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.persistence.InMemoryNodeLeases;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica writes only under its node's lease (docs/architecture.md, "Fencing the writers"): the clock of the
 * leases is the test's, so a pause is a jump of it; the claim's retries run on the real scheduler.
 */
class ReplicaFencingTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    private static final AtomicLong volumeIds = new AtomicLong(47_000);
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final FencingSettings FENCING =
            new FencingSettings(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1));

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** The monotonic clock of both nodes and of the lease rows' expiry. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final InMemoryNodeLeases leases = new InMemoryNodeLeases(nanos::get);
    private final long volumeId = volumeIds.incrementAndGet();
    private final String entityId = VolumeReplica.entityId(volumeId, 0);
    private final Fid root = Fid.root(volumeId);
    private final InMemoryChunkStore chunks = new InMemoryChunkStore();

    private NodeLease node(String id) {
        NodeLease lease = new NodeLease(leases, id, FENCING, nanos::get, () -> true);
        assertThat(lease.acquire().toCompletableFuture().join()).isTrue();
        return lease;
    }

    private void pause(Duration howLong) {
        nanos.addAndGet(howLong.toNanos());
    }

    private ActorRef<VolumeReplica.Command> replica(NodeLease lease) {
        return testKit.spawn(VolumeReplica.create(entityId, chunks, ActorTestSupport.quietSettings(), lease));
    }

    private VolumeReplica.Result mkdir(ActorRef<VolumeReplica.Command> replica, String name, TestProbe<VolumeReplica.Result> probe) {
        replica.tell(new VolumeReplica.Execute(new MkDir(root, name, 0755), "client-f", name.hashCode(), probe.getRef()));
        return probe.expectMessageClass(VolumeReplica.Result.class, AWAIT);
    }

    private VolumeReplica.Result mkdir(ActorRef<VolumeReplica.Command> replica, String name) {
        return mkdir(replica, name, testKit.createTestProbe());
    }

    private void initialize(ActorRef<VolumeReplica.Command> replica) {
        TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
        replica.tell(new VolumeReplica.Initialize(volumeId, "fenced-" + volumeId, 1L, probe.getRef()));
        probe.expectMessageClass(VolumeReplica.Result.Done.class, AWAIT);
    }

    private List<String> names(ActorRef<VolumeReplica.Command> replica) {
        TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
        replica.tell(new VolumeReplica.Execute(new ReadDir(root, null, 100, false), "client-f", 0, probe.getRef()));
        ReadDirReply reply = (ReadDirReply) probe.expectMessageClass(VolumeReplica.Result.Done.class, AWAIT).reply();
        return reply.entries().stream().map(DirEntry::name).toList();
    }

    private int journalled() {
        return journal.persistedInStorage("volume-" + entityId).size();
    }

    private static void assertUnavailable(VolumeReplica.Result result) {
        assertThat(result).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class,
                rejected -> assertThat(rejected.status()).isEqualTo(Status.UNAVAILABLE));
    }

    @Test
    void aReplicaWhoseLeaseExpiredDuringAPausePersistsNothingAndStops() {
        NodeLease a = node("10.0.0.1:25520#1");
        ActorRef<VolumeReplica.Command> replica = replica(a);
        initialize(replica);
        assertThat(mkdir(replica, "before")).isInstanceOf(VolumeReplica.Result.Done.class);
        int events = journalled();

        pause(FENCING.trusted()); // renewed last at the start: trusted no longer (the row lives a second more)
        TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
        assertUnavailable(mkdir(replica, "during", probe));

        probe.expectTerminated(replica, AWAIT);
        assertThat(journalled()).isEqualTo(events);
    }

    @Test
    void aNewIncarnationWaitsForTheOldOwnersLeaseThenRecoversWhatItWrote() {
        NodeLease paused = node("10.0.0.1:25520#1");
        ActorRef<VolumeReplica.Command> old = replica(paused);
        initialize(old);
        assertThat(mkdir(old, "by-old")).isInstanceOf(VolumeReplica.Result.Done.class);

        NodeLease survivor = node("10.0.0.2:25520#2");
        ActorRef<VolumeReplica.Command> fresh = replica(survivor);
        TestProbe<VolumeReplica.Result> waiting = testKit.createTestProbe();
        fresh.tell(new VolumeReplica.Execute(new MkDir(root, "by-new", 0755), "client-f", 7, waiting.getRef()));
        waiting.expectNoMessage(Duration.ofMillis(500)); // claim retried several times: the old lease lives

        // the old node stops (paused); the survivor renews, and the old lease row ends
        pause(FENCING.leaseDuration());
        survivor.renew().toCompletableFuture().join();
        assertThat(survivor.current()).isNotNull();

        assertThat(waiting.expectMessageClass(VolumeReplica.Result.Done.class, AWAIT).committed()).isTrue();
        assertThat(names(fresh)).containsExactlyInAnyOrder("by-old", "by-new");
        // the old incarnation, woken, refuses
        assertUnavailable(mkdir(old, "by-old-after-wake"));
    }

    @Test
    void aLeaseReleasedAsDeadLetsTheNewIncarnationClaimAtOnce() {
        NodeLease dead = node("10.0.0.1:25520#1");
        ActorRef<VolumeReplica.Command> old = replica(dead);
        initialize(old);
        testKit.stop(old);
        // its owner row stays (as after a kill -9: no PostStop ran) ...
        leases.insertOwner("volume-" + entityId, dead.current()).toCompletableFuture().join();
        NodeLease survivor = node("10.0.0.2:25520#2");
        ActorRef<VolumeReplica.Command> fresh = replica(survivor);
        TestProbe<VolumeReplica.Result> waiting = testKit.createTestProbe();
        fresh.tell(new VolumeReplica.Execute(new MkDir(root, "after", 0755), "client-f", 9, waiting.getRef()));

        // ... until a probe that proved the process dead releases its lease: no wait for the TTL
        assertThat(leases.releaseDead(dead.nodeId()).toCompletableFuture().join()).isTrue();
        assertThat(waiting.expectMessageClass(VolumeReplica.Result.Done.class, AWAIT).committed()).isTrue();
    }

    @Test
    void aLostLeaseIsTakenAgainUnderANewGenerationAndTheReplicaClaimsAgain() {
        NodeLease node = node("10.0.0.1:25520#1");
        var first = node.current();
        ActorRef<VolumeReplica.Command> replica = replica(node);
        initialize(replica);
        assertThat(mkdir(replica, "one")).isInstanceOf(VolumeReplica.Result.Done.class);

        leases.releaseDead(node.nodeId()).toCompletableFuture().join(); // the row is gone: the renewal finds out
        node.renew().toCompletableFuture().join();
        assertThat(node.current()).isNotNull();
        assertThat(node.current().generation()).isNotEqualTo(first.generation());

        TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
        assertUnavailable(mkdir(replica, "two", probe)); // claimed under the old generation
        probe.expectTerminated(replica, AWAIT);

        ActorRef<VolumeReplica.Command> again = replica(node); // what Sharding starts on the next message
        assertThat(mkdir(again, "two")).isInstanceOfSatisfying(VolumeReplica.Result.Done.class,
                done -> assertThat(done.committed()).isTrue());
        assertThat(names(again)).containsExactlyInAnyOrder("one", "two");
    }

    @Test
    void aNodeThatIsNoLongerUpDoesNotTakeALostLeaseAgain() {
        NodeLease node = new NodeLease(leases, "10.0.0.1:25520#1", FENCING, nanos::get, () -> false);
        assertThat(node.acquire().toCompletableFuture().join()).isTrue();
        pause(FENCING.leaseDuration());

        node.renew().toCompletableFuture().join();

        assertThat(node.current()).isNull();
        assertThat(leases.generation(node.nodeId()).toCompletableFuture().join()).isEmpty();
    }
}

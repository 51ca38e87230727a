package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.SetAttr;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DETECTION of divergence by the coordinator: when it starts (every pair of replicas' volume vectors compared),
 * and the triggers that look again later. Real replicas; each can be cut off from the coordinator, and can apply an
 * operation alone, as a coordinator that died with its node (or a partition's other side) would have it do.
 */
class DetectionTest {

    private static final AtomicLong VOLUME_IDS = new AtomicLong(1900);
    /** Operation ids of an earlier coordinator: far above the leases the stand-in registry hands out here. */
    private static final AtomicLong EARLIER_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 40));
    private static final Duration RESOLVED = Duration.ofSeconds(30);
    private static final Duration ANSWER = Duration.ofSeconds(10);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** Per replica: update sets sent on their own (COP2 messages) are lost on the way. */
    private final List<AtomicBoolean> loseCop2 = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger lostCop2 = new java.util.concurrent.atomic.AtomicInteger();
    /** Replica 1 is unreachable: every message to it is lost; the GetStats among them are counted. */
    private final AtomicBoolean oneUnreachable = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger statsLostToOne =
            new java.util.concurrent.atomic.AtomicInteger();
    private final CoordinatedReplicas group = new CoordinatedReplicas(testKit, VOLUME_IDS.incrementAndGet(),
            (replica, message) -> {
                if (replica == 1 && oneUnreachable.get()) {
                    if (message instanceof VolumeReplica.GetStats) {
                        statsLostToOne.incrementAndGet();
                    }
                    return false;
                }
                if (loseCop2.get(replica).get() && message instanceof VolumeReplica.Cop2) {
                    lostCop2.incrementAndGet();
                    return false;
                }
                return true;
            });
    private final TestProbe<VolumeReplica.Result> client = group.client;
    private final Fid root = group.root;
    private final List<ActorRef<VolumeReplica.Command>> real = group.real;
    private final List<AtomicBoolean> cut = group.cut;

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private void replicas(int replicas) {
        for (int r = 0; r < replicas; r++) {
            loseCop2.add(new AtomicBoolean());
        }
        group.replicas(replicas, ActorTestSupport.quietSettings());
    }

    private void coordinator(Duration scrubInterval) {
        group.coordinator(CoordinatedReplicas.settings(Duration.ofMillis(500), scrubInterval));
    }

    private VolumeReplica.Result ask(Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        return group.ask(command, ANSWER);
    }

    private VolumeReplica.Result.Done mutate(Request request) {
        return group.mutate(request, ANSWER);
    }

    /** Replica {@code r} applies {@code request} as operation {@code opId} of an earlier coordinator. */
    private VolumeReplica.Result.Done earlier(int r, long opId, long time, Request request) {
        return group.alone(List.of(r), opId, time, request);
    }

    private VolumeReplica.Result.Stats stats() {
        return group.stats(ANSWER);
    }

    private List<String> names(int r) {
        return group.names(r);
    }

    private Attr attr(int r, Fid fid) {
        return group.attr(r, fid);
    }

    private List<String> states() {
        return stats().group().stream().map(ReplicaSummary::state).toList();
    }

    private void awaitEveryReplicaCurrentWithEqualVectors() {
        group.awaitEveryReplicaCurrentWithEqualVectors(RESOLVED, ANSWER);
    }

    @Test
    void aCoordinatorThatStartsOnConcurrentReplicasResolvesThemAndAReadMeanwhileLosesNoWrite() {
        replicas(2);
        earlier(0, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "on-0", 0644, true));
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "on-1", 0644, true));

        coordinator(Duration.ofHours(1));
        // the first request starts the coordinator: it must never answer from one replica alone (it may answer
        // UNAVAILABLE if the resolution takes longer than a read may wait)
        client.awaitAssert(RESOLVED, Duration.ofMillis(100), () -> {
            VolumeReplica.Result read = ask(r -> new VolumeReplica.Execute(new ReadDir(root, null, 1000, false), "c",
                    CoordinatedReplicas.nextRequestId(), r));
            if (read instanceof VolumeReplica.Result.Rejected rejected) {
                assertThat(rejected.status()).isEqualTo(dev.strand.protocol.Status.UNAVAILABLE);
                assertThat(rejected.message()).contains("diverged");
            }
            assertThat(read).isInstanceOf(VolumeReplica.Result.Done.class);
            assertThat(((ReadDirReply) ((VolumeReplica.Result.Done) read).reply()).entries())
                    .extracting(e -> e.name()).containsExactlyInAnyOrder("on-0", "on-1");
            return null;
        });

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("on-0", "on-1");
        }
    }

    @Test
    void theIssuesCaseAWriteOneReplicaAloneHoldsIsOnEveryReplicaAfterACoordinatorStarts() {
        // as ResolutionIT: all three applied a create (each alone: none got its COP2); replica 0 alone also changed it
        replicas(3);
        long create = EARLIER_OP_IDS.incrementAndGet();
        Attr file = null;
        for (int r = 0; r < 3; r++) {
            file = (Attr) earlier(r, create, 7, new Create(root, "alone.txt", 0644, true)).reply();
        }
        earlier(0, EARLIER_OP_IDS.incrementAndGet(), 8, new SetAttr(file.fid(), 0600, null, null));

        coordinator(Duration.ofHours(1));
        Fid changed = file.fid();
        // at start the create's update set is completed everywhere (all three list it), so replica 0 dominates: the
        // others catch up; no read is ever served from one that lacks the change
        client.awaitAssert(RESOLVED, Duration.ofMillis(100), () -> {
            VolumeReplica.Result read = ask(r -> new VolumeReplica.Execute(new GetAttr(changed), "c",
                    CoordinatedReplicas.nextRequestId(), r));
            assertThat(read).isInstanceOf(VolumeReplica.Result.Done.class);
            assertThat(((Attr) ((VolumeReplica.Result.Done) read).reply()).mode() & 0777).isEqualTo(0600);
            return null;
        });
        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 3; r++) {
            assertThat(attr(r, file.fid()).mode() & 0777).as("replica " + r).isEqualTo(0600);
        }
        Fid fid = file.fid();
        VolumeReplica.Result readBack = ask(r -> new VolumeReplica.Execute(new GetAttr(fid), "c",
                CoordinatedReplicas.nextRequestId(), r));
        assertThat(((Attr) ((VolumeReplica.Result.Done) readBack).reply()).mode() & 0777).isEqualTo(0600);
    }

    @Test
    void survivorsThatOnlyLackTheirUpdateSetsServeWhileTheThirdReplicaIsAway() {
        // the earlier coordinator died with its node (and replica 0) before sending the last update sets
        replicas(3);
        for (int k = 0; k < 3; k++) {
            long op = EARLIER_OP_IDS.incrementAndGet();
            for (int r = 1; r < 3; r++) {
                earlier(r, op, 5, new Create(root, "f" + k, 0644, true));
            }
        }
        cut.get(0).set(true);

        coordinator(Duration.ofHours(1));
        // replicas 1 and 2 applied the same operations: equal once their update sets are completed, so current
        mutate(new Create(root, "while-0-is-away", 0644, true));
        List<String> states = states();
        assertThat(states.get(1)).isEqualTo("current");
        assertThat(states.get(2)).isEqualTo("current");
        assertThat(stats().group().get(1).pendingCop2()).isZero();
        assertThat(names(2)).containsExactlyInAnyOrder("f0", "f1", "f2", "while-0-is-away");

        cut.get(0).set(false); // and replica 0, which missed everything, catches up when it is back
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(names(0)).containsExactlyInAnyOrder("f0", "f1", "f2", "while-0-is-away");
    }

    @Test
    void aCoordinatorThatStartsOnADominatedReplicaCatchesItUpWithoutAResolution() {
        replicas(2);
        long op = EARLIER_OP_IDS.incrementAndGet();
        earlier(0, op, 1, new Create(root, "both", 0644, true));
        real.get(0).tell(new VolumeReplica.Cop2(List.of(new Cop2Update(op, List.of(0))), null));
        coordinator(Duration.ofHours(1));
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(names(1)).containsExactly("both");
    }

    @Test
    void theScrubberFindsReplicasThatDivergedBehindTheCoordinatorsBackAndResolvesThem() {
        replicas(2);
        coordinator(Duration.ofMillis(300));
        mutate(new Create(root, "through-the-coordinator", 0644, true));
        awaitEveryReplicaCurrentWithEqualVectors();
        // each replica applies an operation alone: the coordinator never hears of them, no request shows them
        earlier(0, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "alone-on-0", 0644, true));
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "alone-on-1", 0644, true));

        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            assertThat(names(0)).contains("alone-on-1");
            return null;
        });
        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).containsExactlyInAnyOrder("through-the-coordinator", "alone-on-0", "alone-on-1");
        }
    }

    @Test
    void theScrubberCatchesUpAReplicaWhoseVectorIsDominated() {
        replicas(2);
        coordinator(Duration.ofMillis(300));
        mutate(new Create(root, "both", 0644, true));
        awaitEveryReplicaCurrentWithEqualVectors();
        long op = EARLIER_OP_IDS.incrementAndGet();
        earlier(0, op, 1, new Create(root, "only-on-0", 0644, true));
        real.get(0).tell(new VolumeReplica.Cop2(List.of(new Cop2Update(op, List.of(0))), null));

        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            assertThat(names(1)).contains("only-on-0");
            return null;
        });
        awaitEveryReplicaCurrentWithEqualVectors();
    }

    @Test
    void aValidateThatSeesUnequalVersionsMakesTheCoordinatorResolveTheGroup() {
        replicas(2);
        coordinator(Duration.ofHours(1));
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        awaitEveryReplicaCurrentWithEqualVectors();
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new SetAttr(file.fid(), 0600, null, null));

        VolumeReplica.Result validation = ask(r -> new VolumeReplica.Validate(file.fid(), r));
        assertThat(((VolumeReplica.Result.Validation) validation).agree()).isFalse();

        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            assertThat(attr(0, file.fid()).mode() & 0777).isEqualTo(0600);
            return null;
        });
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(((VolumeReplica.Result.Validation) ask(r -> new VolumeReplica.Validate(file.fid(), r))).agree())
                .isTrue();
    }

    @Test
    void aReadOfAnObjectThatDiffersBetweenReplicasMakesTheCoordinatorResolveTheGroup() {
        replicas(2);
        group.coordinator(new VolumeCoordinator.Settings(Duration.ofMillis(500), Duration.ofMillis(50),
                Duration.ofHours(1), Duration.ZERO, Duration.ofHours(1), Duration.ofMillis(1)));
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        awaitEveryReplicaCurrentWithEqualVectors();
        // replica 1 changes the file alone: no scrubber runs in this test, no one asks for VALIDATE
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new SetAttr(file.fid(), 0600, null, null));

        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            ask(r -> new VolumeReplica.Execute(new GetAttr(file.fid()), "reader", 0, r)); // a plain read
            assertThat(attr(0, file.fid()).mode() & 0777).isEqualTo(0600);
            return null;
        });
        awaitEveryReplicaCurrentWithEqualVectors();
    }

    @Test
    void withReadChecksOffAReadDoesNotCompareTheReplicas() {
        replicas(2);
        coordinator(Duration.ofHours(1)); // read checks off
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        awaitEveryReplicaCurrentWithEqualVectors();
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new SetAttr(file.fid(), 0600, null, null));

        for (int i = 0; i < 20; i++) {
            ask(r -> new VolumeReplica.Execute(new GetAttr(file.fid()), "reader", 0, r));
        }
        assertThat(states()).containsExactly("current", "current"); // nothing compared the replicas
        assertThat(attr(0, file.fid()).mode() & 0777).isEqualTo(0644);
    }

    @Test
    void aRepairCheckReportsEveryReplicaAndWhatItStarted() {
        replicas(2);
        coordinator(Duration.ofHours(1));
        mutate(new Create(root, "f", 0644, true));
        awaitEveryReplicaCurrentWithEqualVectors();

        VolumeReplica.Result.GroupChecked quiet = (VolumeReplica.Result.GroupChecked) ask(VolumeReplica.CheckGroup::new);
        assertThat(quiet.started()).isEmpty();
        assertThat(quiet.group()).extracting(ReplicaSummary::state).containsOnly("current");

        earlier(0, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "alone-on-0", 0644, true));
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "alone-on-1", 0644, true));
        VolumeReplica.Result.GroupChecked found = (VolumeReplica.Result.GroupChecked) ask(VolumeReplica.CheckGroup::new);
        assertThat(found.started()).containsExactly("resolution of replicas [0, 1]");
        assertThat(found.group()).extracting(ReplicaSummary::versionVector).doesNotHaveDuplicates();

        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(names(0)).containsExactlyInAnyOrder("f", "alone-on-0", "alone-on-1");
    }

    /**
     * After a heal, a check resolves a diverged replica at once, even while catching up still waits for the answers
     * it asked the replica for when it was unreachable (lost: they would end only at the replica timeout, and the
     * retry after its backoff).
     */
    @Test
    void aRepairCheckAfterAHealResolvesAtOnceThoughALookAtTheReplicaStillWaitsForAnswersLostBefore() {
        Duration replicaTimeout = Duration.ofSeconds(5);
        replicas(2);
        earlier(0, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "on-0", 0644, true));
        earlier(1, EARLIER_OP_IDS.incrementAndGet(), 1, new Create(root, "on-1", 0644, true));
        oneUnreachable.set(true);
        group.coordinator(CoordinatedReplicas.settings(replicaTimeout, Duration.ofHours(1)));
        VolumeReplica.Result.Stats started = (VolumeReplica.Result.Stats) group.ask(VolumeReplica.GetStats::new,
                replicaTimeout.multipliedBy(3)); // the coordinator started; replica 1 did not answer
        assertThat(started.group().get(1).state()).isNotEqualTo("current");

        statsLostToOne.set(0);
        client.awaitAssert(replicaTimeout.multipliedBy(3), Duration.ofMillis(10),
                () -> assertThat(statsLostToOne.get()).as("a look at replica 1 asked it").isPositive());
        oneUnreachable.set(false); // healed while that look waits for its lost answer
        long healed = System.nanoTime();
        assertThat(ask(VolumeReplica.CheckGroup::new)).isInstanceOf(VolumeReplica.Result.GroupChecked.class);
        group.awaitEveryReplicaCurrentWithEqualVectors(replicaTimeout.dividedBy(2), ANSWER);

        assertThat(Duration.ofNanos(System.nanoTime() - healed)).isLessThan(replicaTimeout);
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("on-0", "on-1");
        }
    }

    @Test
    void aReplicaRefusesAGroupCheck() {
        replicas(1);
        real.get(0).tell(new VolumeReplica.CheckGroup(client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Rejected.class).status())
                .isEqualTo(dev.strand.protocol.Status.BAD_REQUEST);
    }

    private void awaitNoPendingCop2() {
        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            assertThat(stats().group()).extracting(ReplicaSummary::pendingCop2).containsOnly(0);
            return null;
        });
    }

    @Test
    void afterWritesWithAReplicaBrieflyUnreachableAndAQuietSpellNoReplicaWaitsForCop2() {
        replicas(2);
        coordinator(Duration.ofHours(1));
        mutate(new Create(root, "before", 0644, true));
        cut.get(1).set(true);
        for (int i = 0; i < 5; i++) {
            mutate(new Create(root, "while-1-is-away-" + i, 0644, true)); // applied by replica 0 alone
        }
        cut.get(1).set(false);
        mutate(new Create(root, "after", 0644, true));

        awaitEveryReplicaCurrentWithEqualVectors();
        awaitNoPendingCop2(); // replica 0's operations that no other replica applied end too
        assertThat(names(1)).hasSize(7);
    }

    @Test
    void updateSetsLostOnTheWayAreSentAgainOnceTheVolumeIsQuiet() {
        replicas(3);
        coordinator(Duration.ofHours(1));
        loseCop2.get(1).set(true);
        for (int i = 0; i < 4; i++) {
            mutate(new Create(root, "f" + i, 0644, true)); // the last one's update set goes on its own: lost
        }
        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            assertThat(stats().group().get(1).pendingCop2()).as("its update set was lost").isPositive();
            assertThat(lostCop2.get()).as("the flush and the first resend after a quiet spell, both lost")
                    .isGreaterThanOrEqualTo(2);
            return null;
        });
        loseCop2.get(1).set(false);

        awaitNoPendingCop2();
        awaitEveryReplicaCurrentWithEqualVectors();
    }
}

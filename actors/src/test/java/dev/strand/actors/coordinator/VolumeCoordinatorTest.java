package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaVersion;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.registry.MinReplicas;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.cop2.OperationIds;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.MkDir;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator over real replicas on the in-memory journal (and probes standing in for replicas that
 * do not answer): COP1 fan-out, min-replicas, COP2 equalising the version vectors, VALIDATE.
 */
class VolumeCoordinatorTest {
    private static final java.util.concurrent.atomic.AtomicLong REQUEST_IDS = new java.util.concurrent.atomic.AtomicLong(1000);


    private static final AtomicLong VOLUME_IDS = new AtomicLong(100);
    private static final Duration REPLICA_TIMEOUT = Duration.ofMillis(500);
    /** How long the coordinators of this test wait for a replica. */
    private Duration replicaTimeout = REPLICA_TIMEOUT;
    private static final Duration AWAIT = Duration.ofSeconds(5);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** The chunk store's clock: blobs registered while it reads 0 are long idle. */
    private final AtomicLong clock = new AtomicLong(0);
    private final InMemoryChunkStore chunks = new InMemoryChunkStore(clock::get);
    private final TestProbe<VolumeReplica.Result> client = testKit.createTestProbe();
    private final long volumeId = VOLUME_IDS.incrementAndGet();

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A storage group of {@code replicas}: real replicas, except the indexes in {@code silent} (probes). */
    private final class Group {
        final Map<String, RecipientRef<VolumeReplica.Command>> refs = new HashMap<>();
        final List<ActorRef<VolumeReplica.Command>> real = new ArrayList<>();
        final Map<Integer, TestProbe<VolumeReplica.Command>> probes = new HashMap<>();
        /** Per real replica: set to cut it off from the coordinator (its messages are dropped). */
        final Map<Integer, java.util.concurrent.atomic.AtomicBoolean> cut = new HashMap<>();
        /** Per real replica: set to lose its answers to mutations (it applies them; the answer never arrives). */
        final Map<Integer, java.util.concurrent.atomic.AtomicBoolean> answersLost = new HashMap<>();
        final VolumeRegistry.VolumeRecord record;
        final ActorRef<VolumeReplica.Command> coordinator;

        Group(int replicas, String minReplicas, VolumeSettings settings, int... silent) {
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                String entityId = VolumeReplica.entityId(volumeId, r);
                ids.add(entityId);
                if (contains(silent, r)) {
                    TestProbe<VolumeReplica.Command> probe = testKit.createTestProbe();
                    refs.put(entityId, probe.getRef());
                    probes.put(r, probe);
                    real.add(null);
                } else {
                    ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks, settings, ActorTestSupport.fence()));
                    replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), replicas));
                    // generous: the first test of the class starts the journal and serializers cold
                    client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(20));
                    var cutOff = new java.util.concurrent.atomic.AtomicBoolean();
                    var lost = new java.util.concurrent.atomic.AtomicBoolean();
                    cut.put(r, cutOff);
                    answersLost.put(r, lost);
                    refs.put(entityId, testKit.spawn(link(replica, cutOff, lost, testKit.<VolumeReplica.Result>createTestProbe().getRef())));
                    real.add(replica);
                }
            }
            record = new VolumeRegistry.VolumeRecord(volumeId, "vol", replicas, 1, ids, MinReplicas.normalize(minReplicas));
            coordinator = testKit.spawn(VolumeCoordinator.create(volumeId, refs::get, testKit.spawn(registry(record)),
                    chunks, new VolumeCoordinator.Settings(replicaTimeout, Duration.ofMillis(50), Duration.ofHours(1),
                            Duration.ZERO)));
        }

        Group(int replicas) {
            this(replicas, MinReplicas.ONE, ActorTestSupport.quietSettings());
        }

        /**
         * The probe at {@code index} answers the coordinator's start-up checks as a replica that is up to date: no
         * operation waits for COP2 there, and its vector is the others'.
         */
        void answerStatsAsCurrent(int index) {
            VolumeReplica.ListPendingOperationsPage pending =
                    (VolumeReplica.ListPendingOperationsPage) probes.get(index).receiveMessage(AWAIT);
            pending.replyTo().tell(new VolumeReplica.Result.PendingOperationsPage(List.of(), true));
            VolumeReplica.GetStats ask = (VolumeReplica.GetStats) probes.get(index).receiveMessage(AWAIT);
            List<Long> fresh = java.util.Collections.nCopies(record.replicas(), 1L);
            ask.replyTo().tell(new VolumeReplica.Result.Stats(volumeId, "vol", 1, 0, 1, 0, 0, fresh, null, null));
        }

        VolumeReplica.Result ask(java.util.function.Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
            coordinator.tell(command.apply(client.getRef()));
            return client.receiveMessage(Duration.ofSeconds(5));
        }

        <T extends VolumeReplica.Result> T askReplica(int index, java.util.function.Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command,
                         Class<T> type) {
            real.get(index).tell(command.apply(client.getRef()));
            return client.expectMessageClass(type);
        }

        Attr mutate(dev.strand.protocol.message.Request request) {
            // a fresh request id each time: a repeated one is a retry, answered from the replicas' memory
            VolumeReplica.Result result = ask(r -> new VolumeReplica.Execute(request, "test-client",
                    REQUEST_IDS.incrementAndGet(), r));
            assertThat(result).as("the mutation succeeded").isInstanceOf(VolumeReplica.Result.Done.class);
            return (Attr) ((VolumeReplica.Result.Done) result).reply();
        }

        /** A mutation that answers Empty (remove, rename). */
        void change(dev.strand.protocol.message.Request request) {
            assertThat(ask(r -> new VolumeReplica.Execute(request, "test-client", REQUEST_IDS.incrementAndGet(), r)))
                    .as("the mutation succeeded").isInstanceOf(VolumeReplica.Result.Done.class);
        }

        VolumeReplica.Result.Validation validate(Fid fid) {
            return (VolumeReplica.Result.Validation) ask(r -> new VolumeReplica.Validate(fid, r));
        }
    }

    /** What {@code probe} receives until it has been quiet for {@code quiet} (at most 100 messages). */
    private static List<VolumeReplica.Command> messagesWithin(TestProbe<VolumeReplica.Command> probe, Duration quiet) {
        List<VolumeReplica.Command> received = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            try {
                received.add(probe.receiveMessage(quiet));
            } catch (AssertionError quietLongEnough) {
                break;
            }
        }
        return received;
    }

    /** Forwards to {@code replica} unless cut off, as a network link would. */
    private static Behavior<VolumeReplica.Command> link(ActorRef<VolumeReplica.Command> replica,
                                                        java.util.concurrent.atomic.AtomicBoolean cutOff,
                                                        java.util.concurrent.atomic.AtomicBoolean answersLost,
                                                        ActorRef<VolumeReplica.Result> nowhere) {
        return Behaviors.receiveMessage(message -> {
            if (cutOff.get()) {
                return Behaviors.same();
            }
            if (answersLost.get() && message instanceof VolumeReplica.Execute execute && execute.cop1() != null) {
                replica.tell(execute.withReplyTo(nowhere)); // applied there; the answer goes nowhere
            } else {
                replica.tell(message);
            }
            return Behaviors.same();
        });
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    /** Where the stand-in registry's next lease of operation ids starts (as the real one persists it). */
    private final AtomicLong nextLease = new AtomicLong(dev.strand.cop2.OperationIds.FIRST);
    private static final long LEASE = 1000;

    private Behavior<VolumeRegistry.Command> registry(VolumeRegistry.VolumeRecord record) {
        return Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(nextLease.getAndAdd(LEASE), LEASE));
            }
            return Behaviors.same();
        });
    }

    /** A coordinator of {@code group}'s volume started anew (after a crash, or on another node). */
    private ActorRef<VolumeReplica.Command> newCoordinator(Group group) {
        return testKit.spawn(VolumeCoordinator.create(volumeId, group.refs::get, testKit.spawn(registry(group.record)),
                chunks, new VolumeCoordinator.Settings(replicaTimeout, Duration.ofMillis(50), Duration.ofHours(1),
                        Duration.ZERO)));
    }

    @Test
    void operationIdsComeFromTheRegistrysLeasesAndNeverRepeatAcrossCoordinators() {
        Group group = new Group(1, MinReplicas.ONE, ActorTestSupport.quietSettings(), 0);
        List<Long> opIds = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            group.coordinator.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), name, 0755), "c",
                    REQUEST_IDS.incrementAndGet(), client.getRef()));
            VolumeReplica.Execute cop1 = (VolumeReplica.Execute) group.probes.get(0).receiveMessage(AWAIT);
            opIds.add(cop1.cop1().opId());
        }
        testKit.stop(group.coordinator);
        // the next coordinator, whatever its node's clock says, continues from the registry's lease
        ActorRef<VolumeReplica.Command> next = newCoordinator(group);
        next.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), "c", 0755), "c",
                REQUEST_IDS.incrementAndGet(), client.getRef()));
        opIds.add(((VolumeReplica.Execute) group.probes.get(0).receiveMessage(AWAIT)).cop1().opId());

        long first = dev.strand.cop2.OperationIds.FIRST;
        assertThat(opIds).containsExactly(first, first + 1, first + LEASE);
    }

    @Test
    void withoutALeaseOfOperationIdsNothingIsApplied() {
        Group group = new Group(1);
        Behavior<VolumeRegistry.Command> noLeases = Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(group.record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.Rejected(Status.INTERNAL, "id space used up"));
            }
            return Behaviors.same();
        });
        ActorRef<VolumeReplica.Command> coordinator = testKit.spawn(VolumeCoordinator.create(volumeId, group.refs::get,
                testKit.spawn(noLeases), chunks, new VolumeCoordinator.Settings(replicaTimeout, Duration.ofMillis(50),
                        Duration.ofHours(1), Duration.ZERO)));

        coordinator.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), "d", 0755), "c", 1, client.getRef()));

        assertThat(client.expectMessageClass(VolumeReplica.Result.Rejected.class).status())
                .isEqualTo(Status.INTERNAL);
        assertThat(group.askReplica(0, VolumeReplica.GetStats::new, VolumeReplica.Result.Stats.class).directories())
                .as("only the root: nothing was applied").isEqualTo(1);
    }

    @Test
    void aVolumeTheRegistryDoesNotKnowIsNoSuchVolume() {
        Behavior<VolumeRegistry.Command> emptyRegistry = Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Rejected(Status.NO_SUCH_VOLUME, "no volume with id 9"));
            }
            return Behaviors.same();
        });
        ActorRef<VolumeReplica.Command> coordinator = testKit.spawn(VolumeCoordinator.create(9, id -> null,
                testKit.spawn(emptyRegistry), chunks, new VolumeCoordinator.Settings(replicaTimeout,
                        Duration.ofMillis(50), Duration.ofHours(1), Duration.ZERO)));

        coordinator.tell(new VolumeReplica.Execute(new GetAttr(Fid.root(9)), "c", 1, client.getRef()));

        assertThat(client.expectMessageClass(VolumeReplica.Result.Rejected.class).status())
                .isEqualTo(Status.NO_SUCH_VOLUME);
    }

    @Test
    void aRequestWaitsForARegistryThatDoesNotAnswerAtFirstInsteadOfFailing() {
        Group group = new Group(1);
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        Behavior<VolumeRegistry.Command> recovering = Behaviors.receiveMessage(message -> {
            // the first two lookups get no answer (the registry recovers, or moves to another node)
            if (message instanceof VolumeRegistry.LookupId lookup && lookups.incrementAndGet() > 2) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(group.record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(OperationIds.FIRST, 1000));
            }
            return Behaviors.same();
        });
        ActorRef<VolumeReplica.Command> coordinator = testKit.spawn(VolumeCoordinator.create(volumeId, group.refs::get,
                testKit.spawn(recovering), chunks, new VolumeCoordinator.Settings(replicaTimeout, Duration.ofMillis(50),
                        Duration.ofHours(1), Duration.ZERO)));

        coordinator.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), "d", 0755), "c", 1, client.getRef()));

        VolumeReplica.Result answer = client.receiveMessage(replicaTimeout.multipliedBy(6));
        assertThat(answer).isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(lookups.get()).isEqualTo(3);
    }

    @Test
    void aMutationReachesEveryReplicaAndTheReadsSeeIt() {
        Group group = new Group(3);

        Attr file = group.mutate(new Create(Fid.root(volumeId), "f", 0644, true));

        for (int r = 0; r < 3; r++) {
            VolumeReplica.Result.Done done = group.askReplica(r,
                    ref -> new VolumeReplica.Execute(new GetAttr(file.fid()), "c", 2, ref), VolumeReplica.Result.Done.class);
            Attr onReplica = (Attr) done.reply();
            assertThat(onReplica.fid()).as("replica %d allocated the same fid", r).isEqualTo(file.fid());
            assertThat(onReplica.mtimeMillis()).as("replica %d stamped the coordinator's time", r)
                    .isEqualTo(file.mtimeMillis());
        }
        VolumeReplica.Result read = group.ask(r -> new VolumeReplica.Execute(new GetAttr(file.fid()), "c", 3, r));
        assertThat(((Attr) ((VolumeReplica.Result.Done) read).reply()).fid()).isEqualTo(file.fid());
    }

    @Test
    void mutationsArePipelinedToEveryReplicaInArrivalOrder() {
        replicaTimeout = Duration.ofMinutes(1); // a mutation waiting for the one before would wait this long
        Group group = new Group(2, MinReplicas.ONE, ActorTestSupport.quietSettings(), 1);
        group.answerStatsAsCurrent(1);
        for (String name : List.of("a", "b", "c")) {
            group.coordinator.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), name, 0755), "c",
                    REQUEST_IDS.incrementAndGet(), client.getRef()));
        }
        // replica 1 (a probe) answers nothing, yet gets all three, in order: none waits for the one before
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            VolumeReplica.Execute execute = (VolumeReplica.Execute) group.probes.get(1).receiveMessage(AWAIT);
            received.add(((MkDir) execute.request()).name());
        }
        assertThat(received).containsExactly("a", "b", "c");
    }

    @Test
    void aReplicaThatMissedAnOperationGetsNoMoreUntilItIsBroughtUpToDate() {
        Group group = new Group(2, MinReplicas.ONE, ActorTestSupport.quietSettings(), 1);
        group.answerStatsAsCurrent(1);
        group.mutate(new MkDir(Fid.root(volumeId), "a", 0755)); // the probe gets it and never answers
        assertThat(group.probes.get(1).receiveMessage(AWAIT)).isInstanceOf(VolumeReplica.Execute.class);

        Attr b = group.mutate(new MkDir(Fid.root(volumeId), "b", 0755));
        Attr read = (Attr) ((VolumeReplica.Result.Done) group.ask(r -> new VolumeReplica.Execute(
                new GetAttr(b.fid()), "c", REQUEST_IDS.incrementAndGet(), r))).reply();

        assertThat(read.fid()).isEqualTo(b.fid());
        // neither the mutation nor the read went there (only the attempts to bring it up to date, which it ignores)
        assertThat(messagesWithin(group.probes.get(1), Duration.ofMillis(300)))
                .noneMatch(m -> m instanceof VolumeReplica.Execute);
    }

    @Test
    void afterCop2EveryReplicaHasTheSameVersionVectors() {
        Group group = new Group(3);

        Attr dir = group.mutate(new MkDir(Fid.root(volumeId), "d", 0755));
        Attr file = group.mutate(new Create(dir.fid(), "f", 0644, true));
        group.mutate(new Create(dir.fid(), "g", 0644, true));

        // the last operation's COP2 is flushed on its own after a short delay
        client.awaitAssert(AWAIT, () -> {
            VolumeReplica.Result.Validation validation = group.validate(dir.fid());
            assertThat(validation.agree()).isTrue();
            assertThat(validation.replicas()).extracting(ReplicaVersion::versionVector)
                    .containsOnly(List.of(3L, 3L, 3L)); // mkdir + two creates, applied by all three
            return null;
        });
        assertThat(group.validate(file.fid()).agree()).isTrue();
        assertThat(group.validate(Fid.root(volumeId)).replicas())
                .extracting(ReplicaVersion::versionVector).containsOnly(List.of(2L, 2L, 2L));
        VolumeReplica.Result.Stats stats = (VolumeReplica.Result.Stats) group.ask(VolumeReplica.GetStats::new);
        assertThat(stats.group()).extracting(ReplicaSummary::pendingCop2).containsOnly(0);
        assertThat(stats.group()).extracting(ReplicaSummary::versionVector)
                .containsOnly(List.of(4L, 4L, 4L));
    }

    @Test
    void updateSetsPiggybackedOnARefusedMutationAreStillApplied() {
        Group group = new Group(2);
        Attr file = group.mutate(new Create(Fid.root(volumeId), "f", 0644, true));

        // refused on both replicas (EXISTS), right after the create: it carries the create's update set
        VolumeReplica.Result refused = group.ask(r ->
                new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), "f", 0755), "c", 2, r));
        assertThat(((VolumeReplica.Result.Rejected) refused).status()).isEqualTo(Status.EXISTS);

        client.awaitAssert(AWAIT, () -> {
            assertThat(group.validate(file.fid()).replicas()).extracting(ReplicaVersion::versionVector)
                    .containsOnly(List.of(1L, 1L));
            return null;
        });
    }

    @Test
    void withMinReplicasMajorityAChangeIsRefusedBeforeAnyReplicaAppliesItWhenTooFewAreAvailable() {
        Group group = new Group(3, MinReplicas.MAJORITY, ActorTestSupport.quietSettings(), 1, 2);

        VolumeReplica.Result result = group.ask(r ->
                new VolumeReplica.Execute(new Create(Fid.root(volumeId), "f", 0644, true), "c", 1, r));

        VolumeReplica.Result.Rejected rejected = (VolumeReplica.Result.Rejected) result;
        assertThat(rejected.status()).isEqualTo(Status.UNAVAILABLE);
        assertThat(rejected.message()).contains("only 1 of 3 replicas of volume 'vol' are available; a change needs 2");
        assertThat(group.askReplica(0, VolumeReplica.GetStats::new, VolumeReplica.Result.Stats.class).files())
                .as("UNAVAILABLE: nothing was applied").isZero();
        assertThat(messagesWithin(group.probes.get(1), Duration.ofMillis(200)))
                .as("no COP1 went out").noneMatch(m -> m instanceof VolumeReplica.Execute);
    }

    @Test
    void withMinReplicasMajorityAChangeAppliedOnTooFewReplicasSaysSoAndTheNextIsNotApplied() {
        Group group = new Group(3, MinReplicas.MAJORITY, ActorTestSupport.quietSettings());
        group.mutate(new MkDir(Fid.root(volumeId), "d", 0755)); // all three current
        group.cut.get(1).set(true);
        group.cut.get(2).set(true);

        VolumeReplica.Result result = group.ask(r ->
                new VolumeReplica.Execute(new Create(Fid.root(volumeId), "f", 0644, true), "c", 1, r));

        VolumeReplica.Result.Rejected partly = (VolumeReplica.Result.Rejected) result;
        assertThat(partly.status()).as("applied, on too few: not UNAVAILABLE").isEqualTo(Status.UNDER_REPLICATED);
        assertThat(partly.message()).contains("applied on 1 of 3 replicas of volume 'vol'; min-replicas needs 2");
        VolumeReplica.Result walk = group.ask(r -> new VolumeReplica.Execute(
                new dev.strand.protocol.message.Walk(Fid.root(volumeId), List.of("f")), "c",
                REQUEST_IDS.incrementAndGet(), r));
        assertThat(walk).as("what UNDER_REPLICATED answered is visible").isInstanceOf(VolumeReplica.Result.Done.class);

        VolumeReplica.Result next = group.ask(r ->
                new VolumeReplica.Execute(new Create(Fid.root(volumeId), "g", 0644, true), "c", 2, r));
        assertThat(((VolumeReplica.Result.Rejected) next).status()).isEqualTo(Status.UNAVAILABLE);
        assertThat(group.askReplica(0, VolumeReplica.GetStats::new, VolumeReplica.Result.Stats.class).files())
                .as("only f: the refused change was not applied").isEqualTo(1);
    }

    @Test
    void withMinReplicasOneASingleAvailableReplicaIsEnough() {
        Group group = new Group(3, MinReplicas.ONE, ActorTestSupport.quietSettings(), 1, 2);

        Attr file = group.mutate(new Create(Fid.root(volumeId), "f", 0644, true));

        VolumeReplica.Result.Validation validation = group.validate(file.fid());
        assertThat(validation.replicas()).extracting(ReplicaVersion::available)
                .containsExactly(true, false, false);
        assertThat(validation.agree()).as("only the available replica counts").isTrue();
    }

    @Test
    void validateReportsReplicasThatDisagree() {
        Group group = new Group(2);
        Attr file = group.mutate(new Create(Fid.root(volumeId), "f", 0644, true));

        // a change that reaches replica 0 only (as if replica 1 had been cut off)
        group.askReplica(0, r -> new VolumeReplica.Execute(new dev.strand.protocol.message.SetAttr(file.fid(), 0600,
                null, null), "c", 9, r), VolumeReplica.Result.Done.class);

        client.awaitAssert(AWAIT, () -> {
            VolumeReplica.Result.Validation validation = group.validate(file.fid());
            assertThat(validation.agree()).isFalse();
            assertThat(validation.replicas().get(0).dataVersion()).isEqualTo(2);
            assertThat(validation.replicas().get(1).dataVersion()).isEqualTo(1);
            return null;
        });
    }

    @Test
    void anOperationWhoseCop2NeverComesExpiresAndItsLateCop2IsIgnored() {
        VolumeSettings expiring = new VolumeSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
                1000, 2, Duration.ofMillis(300));
        String entityId = VolumeReplica.entityId(volumeId, 0);
        ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks, expiring, ActorTestSupport.fence()));
        replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), 3));
        client.expectMessageClass(VolumeReplica.Result.Done.class);

        replica.tell(new VolumeReplica.Execute(new Create(Fid.root(volumeId), "f", 0644, true), "c", 1,
                client.getRef(), new Cop1(77, 1000, List.of())));
        Attr file = (Attr) client.expectMessageClass(VolumeReplica.Result.Done.class).reply();
        replica.tell(new VolumeReplica.GetStats(client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Stats.class).self().pendingCop2()).isEqualTo(1);

        client.awaitAssert(AWAIT, () -> {
            replica.tell(new VolumeReplica.GetStats(client.getRef()));
            assertThat(client.expectMessageClass(VolumeReplica.Result.Stats.class).self().pendingCop2()).isZero();
            return null;
        });
        replica.tell(new VolumeReplica.Cop2(List.of(new Cop2Update(77, List.of(0, 1, 2))), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Cop2Done.class).applied()).isZero();
        replica.tell(new VolumeReplica.Validate(file.fid(), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Validation.class).replicas().get(0).versionVector())
                .as("only the replica's own slot").containsExactly(1L, 0L, 0L);
    }

    @Test
    void aReplicaRefusesAnOperationUnderAnIdThatIsStillPendingAndKeepsTheFirst() {
        String entityId = VolumeReplica.entityId(volumeId, 0);
        ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks,
                ActorTestSupport.quietSettings(), ActorTestSupport.fence()));
        replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), 2));
        client.expectMessageClass(VolumeReplica.Result.Done.class);
        replica.tell(new VolumeReplica.Execute(new Create(Fid.root(volumeId), "f", 0644, true), "c", 1,
                client.getRef(), new Cop1(77, 1000, List.of())));
        Attr file = (Attr) client.expectMessageClass(VolumeReplica.Result.Done.class).reply();

        replica.tell(new VolumeReplica.Execute(new MkDir(Fid.root(volumeId), "d", 0755), "c", 2,
                client.getRef(), new Cop1(77, 2000, List.of())));

        VolumeReplica.Result.Rejected refused = client.expectMessageClass(VolumeReplica.Result.Rejected.class);
        assertThat(refused.message()).contains("operation id 77 is already pending");
        replica.tell(new VolumeReplica.GetStats(client.getRef()));
        VolumeReplica.Result.Stats stats = client.expectMessageClass(VolumeReplica.Result.Stats.class);
        assertThat(stats.directories()).as("the second operation was not applied").isEqualTo(1);
        assertThat(stats.self().pendingCop2()).isEqualTo(1);
        // the update set for 77 still completes the first operation's vnodes
        replica.tell(new VolumeReplica.Cop2(List.of(new Cop2Update(77, List.of(0, 1))), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Cop2Done.class).applied()).isEqualTo(1);
        replica.tell(new VolumeReplica.Validate(file.fid(), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Validation.class).replicas().get(0).versionVector())
                .containsExactly(1L, 1L);
    }

    @Test
    void aCop2ArrivingInTimeBumpsTheOtherSlotsOnceAndSurvivesRecovery() {
        String entityId = VolumeReplica.entityId(volumeId, 1);
        ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks,
                ActorTestSupport.quietSettings(), ActorTestSupport.fence()));
        replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), 3));
        client.expectMessageClass(VolumeReplica.Result.Done.class);
        replica.tell(new VolumeReplica.Execute(new Create(Fid.root(volumeId), "f", 0644, true), "c", 1,
                client.getRef(), new Cop1(5, 1000, List.of())));
        Attr file = (Attr) client.expectMessageClass(VolumeReplica.Result.Done.class).reply();
        assertThat(file.versionVector()).containsExactly(0L, 1L, 0L);

        Cop2Update update = new Cop2Update(5, List.of(0, 1));
        replica.tell(new VolumeReplica.Cop2(List.of(update, update), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Cop2Done.class).applied()).isEqualTo(1);
        replica.tell(new VolumeReplica.Cop2(List.of(update), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Cop2Done.class).applied()).isZero();

        // a fresh incarnation replays the journal and ends up with the same vectors
        testKit.stop(replica);
        ActorRef<VolumeReplica.Command> recovered = testKit.spawn(VolumeReplica.create(entityId, chunks,
                ActorTestSupport.quietSettings(), ActorTestSupport.fence()));
        recovered.tell(new VolumeReplica.Validate(file.fid(), client.getRef()));
        assertThat(client.expectMessageClass(VolumeReplica.Result.Validation.class).replicas().get(0).versionVector())
                .containsExactly(1L, 1L, 0L);
        recovered.tell(new VolumeReplica.GetStats(client.getRef()));
        VolumeReplica.Result.Stats stats = client.expectMessageClass(VolumeReplica.Result.Stats.class);
        assertThat(stats.versionVector()).containsExactly(2L, 2L, 1L);
        assertThat(stats.self().pendingCop2()).isZero();
    }

    // ---- blobs: with several replicas only the coordinator's sweep deletes them ---------------------

    private UUID idleBlob() {
        UUID blobId = UUID.randomUUID();
        chunks.registerBlob(volumeId, blobId);
        chunks.writeChunk(blobId, 0, java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        return blobId;
    }

    private List<UUID> storedBlobs() {
        return chunks.listBlobs(volumeId).toCompletableFuture().join().stream()
                .map(dev.strand.persistence.ChunkStore.BlobRecord::blobId).toList();
    }

    private void commit(Group group, Fid file, UUID blobId) {
        assertThat(group.ask(r -> new VolumeReplica.CommitStore(file, blobId, 3, "c", REQUEST_IDS.incrementAndGet(), r)))
                .isInstanceOf(VolumeReplica.Result.Done.class);
    }

    @Test
    void theSweepDeletesBlobsThatNoReplicaReferencesAndKeepsTheOthers() {
        Group group = new Group(2);
        Fid file = group.mutate(new Create(Fid.root(volumeId), "f", 0644, true)).fid();
        UUID replaced = idleBlob();
        UUID current = idleBlob();
        UUID orphan = idleBlob();
        commit(group, file, replaced);
        commit(group, file, current);

        VolumeReplica.Result result = group.ask(VolumeReplica.SweepBlobs::new);

        assertThat(((VolumeReplica.Result.Swept) result).deleted()).containsExactlyInAnyOrder(replaced, orphan);
        assertThat(storedBlobs()).containsExactly(current);
    }

    @Test
    void aReplicaOfSeveralDoesNotSweepOnItsOwn() {
        Group group = new Group(2);

        VolumeReplica.Result result = group.askReplica(0, VolumeReplica.SweepBlobs::new, VolumeReplica.Result.Rejected.class);

        assertThat(((VolumeReplica.Result.Rejected) result).message()).contains("its coordinator sweeps");
    }

    @Test
    void whenAReplicaDoesNotAnswerTheSweepIsSkipped() {
        Group group = new Group(2, MinReplicas.ONE, ActorTestSupport.quietSettings(), 1);
        UUID orphan = idleBlob();

        VolumeReplica.Result result = group.ask(VolumeReplica.SweepBlobs::new);

        assertThat(((VolumeReplica.Result.Rejected) result).status()).isEqualTo(Status.UNAVAILABLE);
        assertThat(storedBlobs()).containsExactly(orphan);
    }

    // ---- catching up ---------------------------------------------------------------------------------

    private static final Duration CATCH_UP = Duration.ofSeconds(15);

    private VolumeReplica.Result.Stats groupStats(Group group) {
        return (VolumeReplica.Result.Stats) group.ask(VolumeReplica.GetStats::new);
    }

    @Test
    void aReplicaThatMissedOperationsCatchesUpWhenItIsBackAndTakesPartAgain() {
        Group group = new Group(3);
        Fid root = Fid.root(volumeId);
        Attr dir = group.mutate(new MkDir(root, "d", 0755));
        Attr keep = group.mutate(new Create(dir.fid(), "keep", 0644, true));
        Attr gone = group.mutate(new Create(dir.fid(), "gone", 0644, true));

        group.cut.get(2).set(true); // replica 2 misses everything from here
        Attr made = group.mutate(new Create(dir.fid(), "made-while-away", 0644, true));
        group.change(new dev.strand.protocol.message.Remove(dir.fid(), "gone"));
        group.mutate(new dev.strand.protocol.message.SetAttr(keep.fid(), 0600, null, null));
        Attr sub = group.mutate(new MkDir(root, "sub", 0755));
        group.change(new dev.strand.protocol.message.Rename(dir.fid(), "made-while-away", sub.fid(), "moved"));
        group.cut.get(2).set(false);

        client.awaitAssert(CATCH_UP, () -> {
            VolumeReplica.Result.Stats stats = groupStats(group);
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::versionVector).doesNotContainNull()
                    .containsOnly(stats.group().get(0).versionVector());
            return null;
        });
        for (Fid fid : List.of(root, dir.fid(), keep.fid(), made.fid(), sub.fid())) {
            VolumeReplica.Result.Validation validation = group.validate(fid);
            assertThat(validation.replicas()).as("%s on every replica", fid).hasSize(3)
                    .allMatch(ReplicaVersion::available);
            assertThat(validation.agree()).as("the replicas agree on %s", fid).isTrue();
        }
        assertThat(group.askReplica(2, r -> new VolumeReplica.Execute(new GetAttr(gone.fid()), "c",
                REQUEST_IDS.incrementAndGet(), r), VolumeReplica.Result.Rejected.class).status())
                .as("what went while replica 2 was away went there too").isEqualTo(Status.STALE);

        Attr after = group.mutate(new Create(sub.fid(), "after", 0644, true));
        Attr onReplica2 = (Attr) group.askReplica(2, r -> new VolumeReplica.Execute(new GetAttr(after.fid()), "c",
                REQUEST_IDS.incrementAndGet(), r), VolumeReplica.Result.Done.class).reply();
        assertThat(onReplica2.fid()).as("replica 2 takes part again and allocates the same fids").isEqualTo(after.fid());
    }

    @Test
    void aLargeDirectoryMissedWhileAwayIsCopiedInSlices() {
        Group group = new Group(2);
        Attr dir = group.mutate(new MkDir(Fid.root(volumeId), "big", 0755));
        group.cut.get(1).set(true);
        String longName = "x".repeat(100);
        int files = 1500; // about 200 KB of entries: more than one answer carries
        for (int i = 0; i < files; i++) {
            group.mutate(new Create(dir.fid(), longName + i, 0644, true));
        }
        group.cut.get(1).set(false);

        client.awaitAssert(CATCH_UP, () -> {
            assertThat(group.validate(dir.fid()).agree()).isTrue();
            return null;
        });
        List<String> names = new ArrayList<>();
        String after = null;
        boolean eof = false;
        while (!eof) {
            String from = after;
            var page = (dev.strand.protocol.message.ReadDirReply) group.askReplica(1, r -> new VolumeReplica.Execute(
                    new dev.strand.protocol.message.ReadDir(dir.fid(), from, 1000, false), "c",
                    REQUEST_IDS.incrementAndGet(), r), VolumeReplica.Result.Done.class).reply();
            page.entries().forEach(e -> names.add(e.name()));
            eof = page.eof() || page.entries().isEmpty();
            after = page.entries().isEmpty() ? after : page.entries().get(page.entries().size() - 1).name();
        }
        assertThat(names).hasSize(files).contains(longName + 0, longName + (files - 1));
    }

    @Test
    void aReplicaHoldingAChangeItsResolutionLogCannotAccountForIsComparedFullyAndItsChangeKept() {
        Group group = new Group(2);
        Attr file = group.mutate(new Create(Fid.root(volumeId), "f", 0644, true));
        // replica 1 alone changes f without COP1 (as a release before the resolution log could have), so its log
        // does not hold the change
        group.askReplica(1, r -> new VolumeReplica.Execute(new dev.strand.protocol.message.SetAttr(file.fid(), 0600,
                null, null), "other-client", REQUEST_IDS.incrementAndGet(), r), VolumeReplica.Result.Done.class);
        group.cut.get(1).set(true);

        group.mutate(new Create(Fid.root(volumeId), "g", 0644, true)); // replica 1 misses it
        group.cut.get(1).set(false);

        // the logs cannot tell (LogCoverage): a full comparison finds replica 1's f newer, replica 0's root newer
        client.awaitAssert(CATCH_UP, () -> {
            assertThat(groupStats(group).group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(group.validate(file.fid()).agree()).isTrue();
            return null;
        });
        for (int r = 0; r < 2; r++) {
            int replica = r;
            Attr f = (Attr) group.askReplica(r, c -> new VolumeReplica.Execute(new GetAttr(file.fid()), "c",
                    REQUEST_IDS.incrementAndGet(), c), VolumeReplica.Result.Done.class).reply();
            assertThat(f.mode() & 0777).as("replica " + replica + ": the change replica 1 held").isEqualTo(0600);
            var root = (dev.strand.protocol.message.ReadDirReply) group.askReplica(r, c -> new VolumeReplica.Execute(
                    new dev.strand.protocol.message.ReadDir(Fid.root(volumeId), null, 1000, false), "c",
                    REQUEST_IDS.incrementAndGet(), c), VolumeReplica.Result.Done.class).reply();
            assertThat(root.entries()).extracting(dev.strand.protocol.message.DirEntry::name)
                    .as("replica " + replica + ": the create it missed").containsExactlyInAnyOrder("f", "g");
        }
        assertThat(groupStats(group).group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
    }

    @Test
    void aReplicaWhoseAnswerWasLostCatchesUpAlthoughItsOwnSlotIsAhead() {
        Group group = new Group(3);
        Attr dir = group.mutate(new MkDir(Fid.root(volumeId), "d", 0755));
        group.answersLost.get(2).set(true); // replica 2 applies the next create, but its answer never arrives
        Attr file = group.mutate(new Create(dir.fid(), "f", 0644, true));
        group.answersLost.get(2).set(false);
        group.mutate(new Create(dir.fid(), "g", 0644, true));

        client.awaitAssert(CATCH_UP, () -> {
            VolumeReplica.Result.Stats stats = groupStats(group);
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::versionVector)
                    .containsOnly(stats.group().get(0).versionVector());
            return null;
        });
        assertThat(group.validate(file.fid()).agree()).isTrue();
        assertThat(group.validate(dir.fid()).agree()).isTrue();
    }
}

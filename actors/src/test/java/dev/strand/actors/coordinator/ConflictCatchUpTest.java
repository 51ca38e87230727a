package dev.strand.actors.coordinator;

import dev.strand.actors.registry.MinReplicas;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.cop2.OperationIds;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Walk;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CATCH-UP of conflicts: three replicas; a resolution marks a conflict, but replica 2 never gets its
 * {@code ApplyResolution} (as if it failed right then), so the coordinator marks it behind and catches it up from a
 * replica that performed the resolution. It must end marking the conflict as its source does.
 */
class ConflictCatchUpTest {

    private static final AtomicLong VOLUME_IDS = new AtomicLong(1900);
    private static final AtomicLong REQUEST_IDS = new AtomicLong(1);
    private static final AtomicLong ALONE_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 40));
    private static final Duration SETTLED = Duration.ofSeconds(30);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private final TestProbe<VolumeReplica.Result> client = testKit.createTestProbe();
    private final long volumeId = VOLUME_IDS.incrementAndGet();
    private final Fid root = Fid.root(volumeId);
    private final List<ActorRef<VolumeReplica.Command>> real = new ArrayList<>();
    private final List<AtomicBoolean> cut = new ArrayList<>();
    /** Replica 2 never receives a resolution's steps (it stays behind and catches up instead). */
    private final AtomicBoolean dropResolutionTo2 = new AtomicBoolean(true);
    private ActorRef<VolumeReplica.Command> coordinator;

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    /** While set, replica 1 keeps the repair reads it is sent here (released by {@link #releaseHeldReads}). */
    private final AtomicBoolean holdReadsTo1 = new AtomicBoolean();
    private final List<VolumeReplica.Command> heldReads = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What replica 0 received, in order (the kinds of messages). */
    private final List<String> receivedBy0 = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Duration replicaTimeout = Duration.ofMillis(500);

    private void start(int replicas) {
        InMemoryChunkStore chunks = new InMemoryChunkStore(() -> 0L);
        Map<String, RecipientRef<VolumeReplica.Command>> refs = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            String entityId = VolumeReplica.entityId(volumeId, r);
            ids.add(entityId);
            ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks,
                    ActorTestSupport.quietSettings()));
            replica.tell(new VolumeReplica.Initialize(volumeId, "vol", 1, client.getRef(), replicas));
            client.expectMessageClass(VolumeReplica.Result.Done.class, Duration.ofSeconds(20));
            AtomicBoolean cutOff = new AtomicBoolean();
            real.add(replica);
            cut.add(cutOff);
            boolean dropsResolution = r == 2;
            refs.put(entityId, testKit.spawn(Behaviors.<VolumeReplica.Command>receiveMessage(message -> {
                boolean dropped = dropsResolution && dropResolutionTo2.get()
                        && (message instanceof VolumeReplica.ApplyResolution
                        || message instanceof VolumeReplica.StageResolution);
                if (real.size() > 1 && replica == real.get(1) && holdReadsTo1.get()
                        && message instanceof VolumeReplica.ReadObjectVersion) {
                    heldReads.add(message);
                } else if (!cutOff.get() && !dropped) {
                    if (replica == real.get(0)) {
                        receivedBy0.add(message instanceof VolumeReplica.Execute e
                                ? e.request().getClass().getSimpleName() : message.getClass().getSimpleName());
                    }
                    replica.tell(message);
                }
                return Behaviors.same();
            })));
        }
        VolumeRegistry.VolumeRecord record = new VolumeRegistry.VolumeRecord(volumeId, "vol", replicas, 1, ids,
                MinReplicas.normalize(MinReplicas.ONE));
        AtomicLong nextLease = new AtomicLong(OperationIds.FIRST);
        Behavior<VolumeRegistry.Command> registry = Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(nextLease.getAndAdd(1000), 1000));
            }
            return Behaviors.same();
        });
        coordinator = testKit.spawn(VolumeCoordinator.create(volumeId, refs::get, testKit.spawn(registry), chunks,
                new VolumeCoordinator.Settings(replicaTimeout, Duration.ofMillis(50), Duration.ofHours(1),
                        Duration.ZERO)));
    }

    private VolumeReplica.Result ask(Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        coordinator.tell(command.apply(client.getRef()));
        return client.receiveMessage(Duration.ofSeconds(5));
    }

    private VolumeReplica.Result.Done mutate(Request request) {
        VolumeReplica.Result result = ask(r -> new VolumeReplica.Execute(request, "test-client",
                REQUEST_IDS.incrementAndGet(), r));
        assertThat(result).as("the mutation succeeded").isInstanceOf(VolumeReplica.Result.Done.class);
        return (VolumeReplica.Result.Done) result;
    }

    /** Replicas {@code rs} alone apply {@code request} as one operation of a coordinator the others never heard of. */
    private VolumeReplica.Result.Done alone(List<Integer> rs, Request request) {
        Cop1 cop1 = new Cop1(ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(), List.of());
        long requestId = REQUEST_IDS.incrementAndGet();
        VolumeReplica.Result.Done done = null;
        for (int r : rs) {
            real.get(r).tell(new VolumeReplica.Execute(request, "other-side", requestId, client.getRef(), cop1));
            done = client.expectMessageClass(VolumeReplica.Result.Done.class);
        }
        return done;
    }

    private void storeAlone(int r, Fid file, long length) {
        real.get(r).tell(new VolumeReplica.CommitStore(file, UUID.randomUUID(), length, "other-side",
                REQUEST_IDS.incrementAndGet(), client.getRef(), new Cop1(ALONE_OP_IDS.incrementAndGet(),
                System.currentTimeMillis(), List.of())));
        client.expectMessageClass(VolumeReplica.Result.Done.class);
    }

    private VolumeReplica.Result.Stats stats() {
        return (VolumeReplica.Result.Stats) ask(VolumeReplica.GetStats::new);
    }

    /** What replica {@code r} itself answers to {@code request}. */
    private VolumeReplica.Result onReplica(int r, Request request) {
        real.get(r).tell(new VolumeReplica.Execute(request, "c", REQUEST_IDS.incrementAndGet(), client.getRef()));
        return client.receiveMessage(Duration.ofSeconds(5));
    }

    /** Every replica current with one volume vector, after replica 2 was caught up rather than resolved. */
    private void awaitSettled() {
        client.awaitAssert(SETTLED, Duration.ofMillis(200), () -> {
            VolumeReplica.Result.Stats stats = stats();
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::versionVector)
                    .containsOnly(stats.group().get(0).versionVector());
            return null;
        });
    }

    /**
     * READ_DIR with attributes (ls -l) of the root on every replica: one entry in conflict does not fail the listing;
     * each entry comes with the replica's own attributes of it (protocol 6.12).
     */
    private void assertListedWithAttributes(String name) {
        for (int r = 0; r < 3; r++) {
            VolumeReplica.Result listed = onReplica(r, new ReadDir(root, null, 1000, true));
            assertThat(listed).as("replica " + r).isInstanceOf(VolumeReplica.Result.Done.class);
            ReadDirReply page = (ReadDirReply) ((VolumeReplica.Result.Done) listed).reply();
            assertThat(page.entries()).as("replica " + r).extracting(DirEntry::name).contains(name);
            assertThat(page.entries()).allSatisfy(e -> assertThat(e.attr()).as(e.name()).isNotNull());
        }
    }

    private static void assertConflict(VolumeReplica.Result result, String kind) {
        assertThat(result).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(Status.CONFLICT);
            assertThat(rejected.message()).contains(kind);
        });
    }

    private void releaseHeldReads() {
        holdReadsTo1.set(false);
        heldReads.forEach(real.get(1)::tell);
        heldReads.clear();
    }

    /**
     * A repair reads every replica's version, then applies: a mutation that arrives meanwhile waits until the repair
     * is applied (mutations paused as for a resolution), so what the repair read is what it overwrites.
     */
    @Test
    void aRepairPausesMutationsFromItsReadingUntilItIsApplied() {
        replicaTimeout = Duration.ofSeconds(2); // a held read is still answered in time
        start(2);
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        cut.get(1).set(true);
        assertThat(ask(r -> new VolumeReplica.CommitStore(file.fid(), UUID.randomUUID(), 10, "test-client",
                REQUEST_IDS.incrementAndGet(), r))).isInstanceOf(VolumeReplica.Result.Done.class);
        storeAlone(1, file.fid(), 20);
        cut.get(1).set(false);
        client.awaitAssert(SETTLED, Duration.ofMillis(200), () -> {
            VolumeReplica.Result.Stats stats = stats();
            assertThat(stats.group()).extracting(ReplicaSummary::state).containsOnly("current");
            assertThat(stats.group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
            return null;
        });

        holdReadsTo1.set(true);
        receivedBy0.clear();
        TestProbe<VolumeReplica.Result> repairer = testKit.createTestProbe();
        coordinator.tell(new VolumeReplica.RepairFile(root, "f", 1, null, repairer.getRef()));
        client.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
            assertThat(heldReads).as("the repair is reading").isNotEmpty();
            return null;
        });
        TestProbe<VolumeReplica.Result> writer = testKit.createTestProbe();
        coordinator.tell(new VolumeReplica.Execute(new Create(root, "during-repair", 0644, true), "test-client",
                REQUEST_IDS.incrementAndGet(), writer.getRef()));
        writer.expectNoMessage(Duration.ofMillis(500)); // held: the repair has read but not applied
        assertThat(receivedBy0).contains("ReadObjectVersion").doesNotContain("Create");

        releaseHeldReads();
        assertThat(repairer.receiveMessage(Duration.ofSeconds(5))).isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(writer.receiveMessage(Duration.ofSeconds(5))).isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(receivedBy0.indexOf("RepairObject")).as("the repair was applied before the create went out")
                .isLessThan(receivedBy0.lastIndexOf("Create"));
    }

    @Test
    void aReplicaCaughtUpFromOneThatMarksAConflictMarksItTooAndAnswersConflict() {
        start(3);
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        cut.get(1).set(true);
        assertThat(ask(r -> new VolumeReplica.CommitStore(file.fid(), UUID.randomUUID(), 10, "test-client",
                REQUEST_IDS.incrementAndGet(), r))).isInstanceOf(VolumeReplica.Result.Done.class);
        storeAlone(1, file.fid(), 20);
        cut.get(1).set(false);

        awaitSettled();
        assertThat(stats().group()).as("replica 2 adopted the conflict with its source's state")
                .extracting(ReplicaSummary::conflicts).containsOnly(1);
        assertConflict(onReplica(2, new GetAttr(file.fid())), "UPDATE_UPDATE");
        assertListedWithAttributes("f");
        VolumeReplica.Result.ConflictsPage listed = (VolumeReplica.Result.ConflictsPage) ask(
                r -> new VolumeReplica.ListConflicts(0, 0, r));
        assertThat(listed.conflicts()).singleElement()
                .satisfies(e -> assertThat(e.markedOn()).containsExactly(0, 1, 2));
    }

    @Test
    void aNameInConflictKeepsItsConflictAndTheSourcesBindingOnAReplicaCaughtUp() {
        start(3);
        mutate(new Create(root, "untouched", 0644, true));
        cut.get(1).set(true);
        cut.get(2).set(true);
        Attr mine = (Attr) mutate(new Create(root, "n", 0644, true)).reply(); // replica 0 only
        Attr theirs = (Attr) alone(List.of(1, 2), new Create(root, "n", 0640, true)).reply(); // 1 and 2 as one side
        cut.get(1).set(false);
        cut.get(2).set(false);

        awaitSettled();
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        assertConflict(onReplica(2, new Walk(root, List.of("n"))), "NAME_NAME");
        assertListedWithAttributes("n");
        VolumeReplica.Result.ObjectVersions shown = (VolumeReplica.Result.ObjectVersions) ask(
                r -> new VolumeReplica.ReadObjectVersion(root, "n", r));
        List<Fid> bound = shown.versions().stream()
                .map(v -> new Fid(volumeId, v.vnode().vnode(), v.vnode().unique())).toList();
        assertThat(bound).as("each replica keeps its own object; replica 2 its source's").hasSize(3)
                .contains(mine.fid(), theirs.fid());
        assertThat(shown.versions()).allSatisfy(v -> assertThat(v.conflicts()).hasSize(1));
    }
}

package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.cop2.OperationIds;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
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
    private static final AtomicLong ALONE_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 40));
    private static final Duration SETTLED = Duration.ofSeconds(30);
    private static final Duration ANSWER = Duration.ofSeconds(5);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** Replica 2 never receives a resolution's steps (it stays behind and catches up instead). */
    private final AtomicBoolean dropResolutionTo2 = new AtomicBoolean(true);
    /** While set, replica 1 keeps the repair reads it is sent here (released by {@link #releaseHeldReads}). */
    private final AtomicBoolean holdReadsTo1 = new AtomicBoolean();
    private final List<VolumeReplica.Command> heldReads = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What replica 0 received, in order (the kinds of messages). */
    private final List<String> receivedBy0 = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CoordinatedReplicas group = new CoordinatedReplicas(testKit, VOLUME_IDS.incrementAndGet(),
            (replica, message) -> {
                if (replica == 2 && dropResolutionTo2.get() && (message instanceof VolumeReplica.ApplyResolution
                        || message instanceof VolumeReplica.StageResolution)) {
                    return false;
                }
                if (replica == 1 && holdReadsTo1.get() && message instanceof VolumeReplica.ReadObjectVersion) {
                    heldReads.add(message);
                    return false;
                }
                if (replica == 0) {
                    receivedBy0.add(message instanceof VolumeReplica.Execute e
                            ? e.request().getClass().getSimpleName() : message.getClass().getSimpleName());
                }
                return true;
            });
    private final TestProbe<VolumeReplica.Result> client = group.client;
    private final long volumeId = group.volumeId;
    private final Fid root = group.root;
    private final List<ActorRef<VolumeReplica.Command>> real = group.real;
    private final List<AtomicBoolean> cut = group.cut;
    private Duration replicaTimeout = Duration.ofMillis(500);

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private void start(int replicas) {
        group.replicas(replicas, ActorTestSupport.quietSettings());
        group.coordinator(CoordinatedReplicas.settings(replicaTimeout, Duration.ofHours(1)));
    }

    private VolumeReplica.Result ask(Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        return group.ask(command, ANSWER);
    }

    private VolumeReplica.Result.Done mutate(Request request) {
        return group.mutate(request, ANSWER);
    }

    /** Replicas {@code rs} alone apply {@code request} as one operation of a coordinator the others never heard of. */
    private VolumeReplica.Result.Done alone(List<Integer> rs, Request request) {
        return group.alone(rs, ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(), request);
    }

    private void storeAlone(int r, Fid file, long length) {
        real.get(r).tell(new VolumeReplica.CommitStore(file, UUID.randomUUID(), length, "other-side",
                CoordinatedReplicas.nextRequestId(), client.getRef(), new Cop1(ALONE_OP_IDS.incrementAndGet(),
                System.currentTimeMillis(), List.of())));
        client.expectMessageClass(VolumeReplica.Result.Done.class);
    }

    private VolumeReplica.Result.Stats stats() {
        return group.stats(ANSWER);
    }

    /** What replica {@code r} itself answers to {@code request}. */
    private VolumeReplica.Result onReplica(int r, Request request) {
        return group.onReplica(r, request);
    }

    /** Every replica current with one volume vector, after replica 2 was caught up rather than resolved. */
    private void awaitSettled() {
        group.awaitEveryReplicaCurrentWithEqualVectors(SETTLED, ANSWER);
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
                CoordinatedReplicas.nextRequestId(), r))).isInstanceOf(VolumeReplica.Result.Done.class);
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
        group.coordinator.tell(new VolumeReplica.RepairFile(root, "f", 1, null, repairer.getRef()));
        client.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
            assertThat(heldReads).as("the repair is reading").isNotEmpty();
            return null;
        });
        TestProbe<VolumeReplica.Result> writer = testKit.createTestProbe();
        group.coordinator.tell(new VolumeReplica.Execute(new Create(root, "during-repair", 0644, true), "test-client",
                CoordinatedReplicas.nextRequestId(), writer.getRef()));
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
                CoordinatedReplicas.nextRequestId(), r))).isInstanceOf(VolumeReplica.Result.Done.class);
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

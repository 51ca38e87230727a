package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.ReplicaVersion;
import dev.strand.protocol.Status;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Remove;
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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RESOLUTION through the coordinator: two real replicas, the second cut off from the coordinator while it applies an
 * operation alone (as a partition's other side, or a coordinator that died with its node, would have it do). When the
 * link is back, catching up finds it diverged and resolution merges the two.
 */
class ResolutionTest {

    private static final AtomicLong VOLUME_IDS = new AtomicLong(900);
    /** Operation ids of the side that is cut off: far above the leases the stand-in registry hands out here. */
    private static final AtomicLong ALONE_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 40));
    private static final Duration RESOLVED = Duration.ofSeconds(30);
    private static final Duration ANSWER = Duration.ofSeconds(5);

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    /** Per replica: its resolution log requests are dropped (it does not answer them). */
    private final List<AtomicBoolean> silentLog = new ArrayList<>();
    /** Per replica: its resolution log is answered without a volume vector, which the resolution cannot survive. */
    private final List<AtomicBoolean> brokenLog = new ArrayList<>();
    private final CoordinatedReplicas group = new CoordinatedReplicas(testKit, VOLUME_IDS.incrementAndGet(),
            (replica, message) -> {
                if (message instanceof VolumeReplica.ReadResolutionLog read && brokenLog.get(replica).get()) {
                    read.replyTo().tell(new VolumeReplica.Result.ResolutionLogRead(List.of(), false, 1, 1, null));
                    return false;
                }
                return !(message instanceof VolumeReplica.ReadResolutionLog && silentLog.get(replica).get());
            });
    private final TestProbe<VolumeReplica.Result> client = group.client;
    private final long volumeId = group.volumeId;
    private final Fid root = group.root;
    private final List<ActorRef<VolumeReplica.Command>> real = group.real;
    private final List<AtomicBoolean> cut = group.cut;
    /** The replicas' settings (a test may make their resolution logs small, to overflow them). */
    private dev.strand.actors.volume.VolumeSettings settings = ActorTestSupport.quietSettings();

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private void start(int replicas) {
        for (int r = 0; r < replicas; r++) {
            silentLog.add(new AtomicBoolean());
            brokenLog.add(new AtomicBoolean());
        }
        group.replicas(replicas, settings);
        group.coordinator(CoordinatedReplicas.settings(Duration.ofMillis(500), Duration.ofHours(1)));
    }

    private VolumeReplica.Result ask(Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        return group.ask(command, ANSWER);
    }

    /** Through the coordinator (a replica that is cut off misses it). */
    private VolumeReplica.Result.Done mutate(Request request) {
        return group.mutate(request, ANSWER);
    }

    /** Replica {@code r} alone applies {@code request} as an operation of a coordinator the others never heard of. */
    private VolumeReplica.Result.Done alone(int r, Request request) {
        return group.alone(List.of(r), ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(), request);
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

    private void awaitEveryReplicaCurrentWithEqualVectors() {
        group.awaitEveryReplicaCurrentWithEqualVectors(RESOLVED, ANSWER);
    }

    @Test
    void aReplicaThatMissedACreateAndOneThatAloneAppliedAnotherBothEndWithBothFiles() {
        start(2);
        cut.get(1).set(true);
        Attr a = (Attr) mutate(new Create(root, "on-0", 0644, true)).reply(); // replica 1 misses it: behind
        Attr b = (Attr) alone(1, new Create(root, "on-1-alone", 0644, true)).reply();
        assertThat(b.fid()).as("fids from the operations: no collision").isNotEqualTo(a.fid());
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("on-0", "on-1-alone");
            assertThat(attr(r, a.fid()).fid()).isEqualTo(a.fid());
            assertThat(attr(r, b.fid()).fid()).isEqualTo(b.fid());
        }
        VolumeReplica.Result.Stats stats = stats();
        assertThat(stats.group()).extracting(ReplicaSummary::resolutionLogEntries).containsOnly(0);
        // and the volume goes on: a new create reaches both
        mutate(new Create(root, "after", 0644, true));
        assertThat(names(1)).contains("after");
    }

    /** Replica 1 diverged from replica 0: each created a file the other lacks. */
    private void divergeReplicaOne() {
        cut.get(1).set(true);
        mutate(new Create(root, "on-0", 0644, true));
        alone(1, new Create(root, "on-1-alone", 0644, true));
    }

    private void awaitReplicaOneState(String state) {
        client.awaitAssert(RESOLVED, Duration.ofMillis(100), () -> {
            assertThat(stats().group().get(1).state()).isEqualTo(state);
            return null;
        });
    }

    @Test
    void aParticipantThatDoesNotAnswerLeavesTheReplicaDivergedResumesMutationsAndTheRetryResolves() {
        start(2);
        divergeReplicaOne();
        silentLog.get(1).set(true);
        cut.get(1).set(false);

        awaitReplicaOneState("diverged: replica 1 did not answer");
        mutate(new Create(root, "while-diverged", 0644, true)); // the pause was released
        silentLog.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("on-0", "on-1-alone", "while-diverged");
        }
    }

    @Test
    void aResolutionCoordinatorThatDiesMidwayReleasesThePauseAndTheRetryResolves() {
        start(2);
        divergeReplicaOne();
        brokenLog.get(1).set(true); // the resolution coordinator fails planning on a log without a vector
        cut.get(1).set(false);

        awaitReplicaOneState("diverged: the resolution coordinator stopped before it reported an outcome");
        mutate(new Create(root, "while-diverged", 0644, true)); // the pause was released
        brokenLog.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("on-0", "on-1-alone", "while-diverged");
        }
    }

    @Test
    void aResolutionLargerThanOneMessageIsReadInPagesAndPerformedInOneWrite() {
        start(2);
        cut.get(1).set(true);
        List<String> expected = new ArrayList<>();
        // Each side's log: 450 entries of about 400 bytes, more than one page (128 KiB with the smallest frame Strand
        // accepts), and replica 0's steps (replays of the other side's 450) more than one message.
        for (int i = 0; i < 450; i++) {
            String onZero = "created-by-the-coordinator-while-replica-1-was-away-" + i;
            String onOne = "created-on-the-other-side-of-the-partition-alone-" + i;
            mutate(new Create(root, onZero, 0644, true));
            alone(1, new Create(root, onOne, 0644, true));
            expected.add(onZero);
            expected.add(onOne);
        }
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
    }

    @Test
    void aRemoveOnOneSideAndAnUntouchedFileOnTheOtherConverge() {
        start(2);
        mutate(new Create(root, "removed", 0644, true));
        Attr kept = (Attr) mutate(new Create(root, "changed-alone", 0644, true)).reply();
        cut.get(1).set(true);
        mutate(new Remove(root, "removed"));
        alone(1, new SetAttr(kept.fid(), 0600, null, null));
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactly("changed-alone");
            assertThat(attr(r, kept.fid()).mode() & 0777).as("replica " + r).isEqualTo(0600);
        }
    }

    /** Replica {@code r} alone commits {@code blob} as {@code file}'s contents (the other side of a partition). */
    private void storeAlone(int r, Fid file, UUID blob, long length) {
        real.get(r).tell(new VolumeReplica.CommitStore(file, blob, length, "other-side", CoordinatedReplicas.nextRequestId(),
                client.getRef(), new Cop1(ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(),
                List.of())));
        client.expectMessageClass(VolumeReplica.Result.Done.class);
    }

    private VolumeReplica.Result store(Fid file, UUID blob, long length) {
        return ask(r -> new VolumeReplica.CommitStore(file, blob, length, "test-client", CoordinatedReplicas.nextRequestId(),
                r));
    }

    /** Replica {@code r}'s own version of {@code fid} (VALIDATE reads objects in conflict too). */
    private ReplicaVersion version(int r, Fid fid) {
        real.get(r).tell(new VolumeReplica.Validate(fid, client.getRef()));
        return client.expectMessageClass(VolumeReplica.Result.Validation.class).replicas().get(0);
    }

    /**
     * The same file stored differently on both sides (UPDATE_UPDATE): the rest merges, every replica is current with
     * equal volume vectors, each keeps its own version of the file, which answers CONFLICT; the other files serve.
     */
    Fid divergeWithAnUpdateUpdateConflict(Fid[] others) {
        start(2);
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        Attr untouched = (Attr) mutate(new Create(root, "untouched", 0644, true)).reply();
        cut.get(1).set(true);
        assertThat(store(file.fid(), UUID.randomUUID(), 10)).isInstanceOf(VolumeReplica.Result.Done.class);
        Attr merged = (Attr) mutate(new Create(root, "created-on-0", 0644, true)).reply();
        storeAlone(1, file.fid(), UUID.randomUUID(), 20);
        cut.get(1).set(false);
        others[0] = untouched.fid();
        others[1] = merged.fid();
        return file.fid();
    }

    @Test
    void aConflictIsMarkedOnEveryReplicaWhichAreAllCurrentAndOnlyTheObjectInConflictAnswersConflict() {
        Fid[] others = new Fid[2];
        Fid f = divergeWithAnUpdateUpdateConflict(others);

        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        VolumeReplica.Result read = ask(r -> new VolumeReplica.Execute(new dev.strand.protocol.message.GetAttr(f),
                "c", CoordinatedReplicas.nextRequestId(), r));
        assertThat(read).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(Status.CONFLICT);
            assertThat(rejected.message()).contains("UPDATE_UPDATE").contains("[0, 1]").contains("/f");
        });
        assertThat(store(f, UUID.randomUUID(), 5)).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class,
                rejected -> assertThat(rejected.status()).isEqualTo(Status.CONFLICT));
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("f", "untouched", "created-on-0");
            assertThat(attr(r, others[0]).fid()).isEqualTo(others[0]);
            assertThat(attr(r, others[1]).fid()).isEqualTo(others[1]);
        }
        assertThat(version(0, f).versionVector()).as("each replica keeps its own version")
                .isNotEqualTo(version(1, f).versionVector());
        // the volume goes on
        mutate(new Create(root, "after", 0644, true));
        assertThat(names(1)).contains("after");
    }

    @Test
    void aConflictIsListedShownAndRepairedByKeepingOneReplicasVersion() {
        Fid[] others = new Fid[2];
        Fid f = divergeWithAnUpdateUpdateConflict(others);
        awaitEveryReplicaCurrentWithEqualVectors();

        VolumeReplica.Result.ConflictsPage page = (VolumeReplica.Result.ConflictsPage) ask(
                r -> new VolumeReplica.ListConflicts(0, 0, r));
        assertThat(page.last()).isTrue();
        assertThat(page.conflicts()).singleElement().satisfies(e -> {
            assertThat(e.conflict().kind()).isEqualTo("UPDATE_UPDATE");
            assertThat(e.conflict().objects()).containsExactly(f);
            assertThat(e.conflict().paths()).containsExactly("/f");
            assertThat(e.conflict().replicas()).containsExactly(0, 1);
            assertThat(e.markedOn()).containsExactly(0, 1);
        });

        VolumeReplica.Result.ObjectVersions shown = (VolumeReplica.Result.ObjectVersions) ask(
                r -> new VolumeReplica.ReadObjectVersion(root, "f", r));
        assertThat(shown.versions()).hasSize(2);
        assertThat(shown.versions()).extracting(v -> v.vnode().size()).containsExactly(10L, 20L);
        assertThat(shown.versions().get(0).vnode().versionVector())
                .isNotEqualTo(shown.versions().get(1).vnode().versionVector());
        assertThat(shown.versions()).allSatisfy(v -> assertThat(v.conflicts()).hasSize(1));

        // a replica that does not answer: nothing changes
        cut.get(0).set(true);
        assertThat(ask(r -> new VolumeReplica.RepairFile(root, "f", 1, null, r)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
                    assertThat(rejected.status()).isEqualTo(Status.UNAVAILABLE);
                    assertThat(rejected.message()).contains("replica 0");
                });
        cut.get(0).set(false);
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);

        VolumeReplica.Result repaired = ask(r -> new VolumeReplica.RepairFile(root, "f", 1, null, r));
        assertThat(repaired).isInstanceOf(VolumeReplica.Result.Done.class);
        Attr attr = (Attr) ((VolumeReplica.Result.Done) repaired).reply();
        assertThat(attr.size()).as("replica 1's version kept").isEqualTo(20);

        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        List<Long> vector = version(0, f).versionVector();
        assertThat(version(1, f).versionVector()).isEqualTo(vector);
        for (var before : shown.versions()) {
            dev.strand.replication.VersionVector earlier = before.vnode().versionVector();
            assertThat(dev.strand.replication.VersionVector.fromList(vector).compare(earlier))
                    .as("the repaired version dominates " + earlier).isEqualTo(dev.strand.replication.VersionOrder.DOMINATES);
        }
        for (int r = 0; r < 2; r++) {
            assertThat(attr(r, f).size()).as("replica " + r).isEqualTo(20);
        }
        awaitEveryReplicaCurrentWithEqualVectors();
        // serves again, through the coordinator
        assertThat(store(f, UUID.randomUUID(), 7)).isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(((VolumeReplica.Result.ConflictsPage) ask(r -> new VolumeReplica.ListConflicts(0, 0, r)))
                .conflicts()).isEmpty();
    }

    /**
     * 'repair file --from': the client stored the new contents to a staged file; one REPAIR_FILE with {@code from}
     * takes the file in conflict to them on every replica, with the kept replica's attributes, in the same write.
     */
    @Test
    void aFileInConflictTakesAStagedFilesContentsInTheRepairItself() {
        start(2);
        Fid f = ((Attr) mutate(new Create(root, "f", 0644, true)).reply()).fid();
        cut.get(1).set(true);
        assertThat(store(f, UUID.randomUUID(), 10)).isInstanceOf(VolumeReplica.Result.Done.class);
        storeAlone(1, f, UUID.randomUUID(), 20);
        cut.get(1).set(false);
        awaitEveryReplicaCurrentWithEqualVectors();
        Fid staged = ((Attr) mutate(new Create(root, ".strand-put-0123456789abcdef", 0600, true)).reply()).fid();
        UUID contents = UUID.randomUUID();
        assertThat(store(staged, contents, 33)).isInstanceOf(VolumeReplica.Result.Done.class);

        VolumeReplica.Result repaired = ask(q -> new VolumeReplica.RepairFile(root, "f", 1, staged, q));

        assertThat(repaired).isInstanceOfSatisfying(VolumeReplica.Result.Done.class,
                done -> assertThat(((Attr) done.reply()).size()).isEqualTo(33));
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        for (int r = 0; r < 2; r++) {
            assertThat(attr(r, f).size()).as("replica %d", r).isEqualTo(33);
            assertThat(attr(r, f).mode() & 0777).as("replica %d keeps replica 1's mode", r).isEqualTo(0644);
        }
        assertThat(version(0, f).versionVector()).isEqualTo(version(1, f).versionVector());
    }

    @Test
    void repairingAFileThatIsNotInConflictIsRefused() {
        start(2);
        mutate(new Create(root, "fine", 0644, true));
        assertThat(ask(r -> new VolumeReplica.RepairFile(root, "fine", 0, null, r)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class,
                        rejected -> assertThat(rejected.status()).isEqualTo(Status.INVALID_ARGUMENT));
    }

    @Test
    void aNameCreatedOnBothSidesIsInConflictWhileTheDirectoryServesItsOtherNames() {
        start(2);
        cut.get(1).set(true);
        Attr mine = (Attr) mutate(new Create(root, "n", 0644, true)).reply();
        mutate(new Create(root, "only-on-0", 0644, true));
        Attr theirs = (Attr) alone(1, new Create(root, "n", 0644, true)).reply();
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        VolumeReplica.Result walk = ask(r -> new VolumeReplica.Execute(new dev.strand.protocol.message.Walk(root,
                List.of("n")), "c", CoordinatedReplicas.nextRequestId(), r));
        assertThat(walk).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(Status.CONFLICT);
            assertThat(rejected.message()).contains("NAME_NAME");
        });
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).contains("n", "only-on-0");
        }
        VolumeReplica.Result.ObjectVersions shown = (VolumeReplica.Result.ObjectVersions) ask(
                r -> new VolumeReplica.ReadObjectVersion(root, "n", r));
        assertThat(shown.versions()).extracting(v -> new Fid(volumeId, v.vnode().vnode(), v.vnode().unique()))
                .as("each replica keeps its own object under the name").containsExactly(mine.fid(), theirs.fid());
        assertThat(ask(r -> new VolumeReplica.RepairFile(root, "n", 0, null, r)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class,
                        rejected -> assertThat(rejected.status()).isEqualTo(Status.INVALID_ARGUMENT));
        mutate(new Create(root, "after", 0644, true));
        assertThat(names(1)).contains("after");
    }

    /** The same name created on both sides, replica 1's with contents: a NAME_NAME conflict over 'n'. */
    private Attr[] divergeWithANameNameConflict() {
        return divergeWithANameNameConflict("n");
    }

    private Attr[] divergeWithANameNameConflict(String n) {
        start(2);
        mutate(new Create(root, "untouched", 0644, true));
        cut.get(1).set(true);
        Attr mine = (Attr) mutate(new Create(root, n, 0644, true)).reply();
        Attr theirs = (Attr) alone(1, new Create(root, n, 0640, true)).reply();
        storeAlone(1, theirs.fid(), UUID.randomUUID(), 7);
        cut.get(1).set(false);
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        return new Attr[] {mine, theirs};
    }

    /** What replica {@code r} binds {@code name} of the root to (its own lookup). */
    private Fid boundOn(int r, String name) {
        real.get(r).tell(new VolumeReplica.Execute(new dev.strand.protocol.message.Walk(root, List.of(name)), "c",
                CoordinatedReplicas.nextRequestId(), client.getRef()));
        var reply = (dev.strand.protocol.message.WalkReply) client.expectMessageClass(VolumeReplica.Result.Done.class)
                .reply();
        return reply.attr().fid();
    }

    @Test
    void repairDirKeepsOneReplicasObjectUnderTheNameOnEveryReplica() {
        Attr[] both = divergeWithANameNameConflict();
        Fid untouched = boundOn(0, "untouched");
        ReplicaVersion rootBefore0 = version(0, root);
        ReplicaVersion rootBefore1 = version(1, root);

        VolumeReplica.Result repaired = ask(r -> new VolumeReplica.RepairDir(root, List.of("n"), List.of(1), false, r));
        assertThat(repaired).isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("n", "untouched");
            assertThat(boundOn(r, "n")).as("replica " + r).isEqualTo(both[1].fid());
            assertThat(attr(r, both[1].fid()).size()).as("replica 1's contents on replica " + r).isEqualTo(7);
            assertThat(boundOn(r, "untouched")).isEqualTo(untouched);
        }
        assertThat(version(0, both[1].fid()).versionVector()).isEqualTo(version(1, both[1].fid()).versionVector());
        List<Long> rootVector = version(0, root).versionVector();
        assertThat(version(1, root).versionVector()).isEqualTo(rootVector);
        for (ReplicaVersion before : List.of(rootBefore0, rootBefore1)) {
            assertThat(dev.strand.replication.VersionVector.fromList(rootVector)
                    .compare(dev.strand.replication.VersionVector.fromList(before.versionVector())))
                    .isEqualTo(dev.strand.replication.VersionOrder.DOMINATES);
        }
        real.get(0).tell(new VolumeReplica.Validate(both[0].fid(), client.getRef()));
        assertThat(client.receiveMessage()).as("replica 0's own object is gone")
                .isInstanceOf(VolumeReplica.Result.Rejected.class);
        // serves again, through the coordinator
        mutate(new SetAttr(both[1].fid(), 0600, null, null));
        mutate(new Create(root, "after", 0644, true));
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(names(1)).contains("after");
    }

    @Test
    void repairDirWithRenameOthersKeepsEveryObjectUnderItsOwnName() {
        Attr[] both = divergeWithANameNameConflict();

        VolumeReplica.Result repaired = ask(r -> new VolumeReplica.RepairDir(root, List.of("n"), List.of(1), true, r));
        assertThat(repaired).isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrder("n", "n.conflict-r0", "untouched");
            assertThat(boundOn(r, "n")).as("replica " + r).isEqualTo(both[1].fid());
            assertThat(boundOn(r, "n.conflict-r0")).as("replica " + r).isEqualTo(both[0].fid());
        }
        for (Fid f : List.of(both[0].fid(), both[1].fid(), root)) {
            assertThat(version(0, f).versionVector()).as(f.toString()).isEqualTo(version(1, f).versionVector());
        }
        mutate(new Remove(root, "n.conflict-r0"));
        assertThat(names(1)).containsExactlyInAnyOrder("n", "untouched");
    }

    @Test
    void repairDirWithAReplicaCutOffChangesNothing() {
        Attr[] both = divergeWithANameNameConflict();
        cut.get(0).set(true);
        assertThat(ask(r -> new VolumeReplica.RepairDir(root, List.of("n"), List.of(1), false, r)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
                    assertThat(rejected.status()).isEqualTo(Status.UNAVAILABLE);
                    assertThat(rejected.message()).contains("replica 0").contains("nothing was changed");
                });
        cut.get(0).set(false);
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        VolumeReplica.Result.ObjectVersions shown = (VolumeReplica.Result.ObjectVersions) ask(
                r -> new VolumeReplica.ReadObjectVersion(root, "n", r));
        assertThat(shown.versions()).extracting(v -> v.vnode().vnode())
                .containsExactly(both[0].fid().vnode(), both[1].fid().vnode());
        assertThat(shown.versions()).extracting(v -> v.vnode().size()).containsExactly(0L, 7L);
        real.get(0).tell(new VolumeReplica.Validate(both[1].fid(), client.getRef()));
        assertThat(client.receiveMessage()).as("replica 0 still lacks replica 1's object")
                .isInstanceOf(VolumeReplica.Result.Rejected.class);
        // a name not in conflict, or an update/update, is refused
        assertThat(ask(r -> new VolumeReplica.RepairDir(root, List.of("untouched"), List.of(0), false, r)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class,
                        rejected -> assertThat(rejected.status()).isEqualTo(Status.INVALID_ARGUMENT));
    }

    /**
     * Replica 0 removes /r and renames /m to /m0 while replica 1 chmods /r and renames /m to /m1: {r, m}.
     */
    private Fid[] divergeWithARemoveUpdateAndARenameRename() {
        start(2);
        Fid r = ((Attr) mutate(new Create(root, "r", 0644, true)).reply()).fid();
        Fid m = ((Attr) mutate(new Create(root, "m", 0644, true)).reply()).fid();
        cut.get(1).set(true);
        mutate(new Remove(root, "r"));
        mutate(new dev.strand.protocol.message.Rename(root, "m", root, "m0"));
        alone(1, new SetAttr(r, 0600, null, null));
        alone(1, new dev.strand.protocol.message.Rename(root, "m", root, "m1"));
        cut.get(1).set(false);
        awaitEveryReplicaCurrentWithEqualVectors();
        VolumeReplica.Result.ConflictsPage page = (VolumeReplica.Result.ConflictsPage) ask(
                q -> new VolumeReplica.ListConflicts(0, 0, q));
        assertThat(page.conflicts()).extracting(e -> e.conflict().kind())
                .containsExactlyInAnyOrder("REMOVE_UPDATE", "RENAME_RENAME");
        return new Fid[] {r, m};
    }

    @Test
    void repairDirSettlesAFileRemovedOnOneSideAndChangedOnTheOther() {
        Fid r = divergeWithARemoveUpdateAndARenameRename()[0];
        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of("r"), List.of(1), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        for (int replica = 0; replica < 2; replica++) {
            assertThat(names(replica)).as("replica " + replica).contains("r");
            assertThat(attr(replica, r).mode() & 0777).as("replica " + replica).isEqualTo(0600);
        }
        assertThat(version(0, r).versionVector()).isEqualTo(version(1, r).versionVector());
        assertThat(((VolumeReplica.Result.ConflictsPage) ask(q -> new VolumeReplica.ListConflicts(0, 0, q)))
                .conflicts()).extracting(e -> e.conflict().kind()).containsExactly("RENAME_RENAME");
    }

    /**
     * 'repair dir / --keep m=0' alone settles the RENAME_RENAME: replica 0's binding of /m (none) wins, and the
     * names the conflict's moves bound (/m0, /m1) are taken from replica 0 too: the file is /m0 everywhere.
     */
    @Test
    void repairDirKeepingOneNameOfARenameRenameMovesTheFileAsThatReplicaDidEverywhere() {
        Fid moved = divergeWithARemoveUpdateAndARenameRename()[1];
        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of("r"), List.of(1), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of("m"), List.of(0), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(((VolumeReplica.Result.ConflictsPage) ask(q -> new VolumeReplica.ListConflicts(0, 0, q)))
                .conflicts()).isEmpty();
        assertThat(names(0)).contains("m0").doesNotContain("m", "m1").isEqualTo(names(1));
        assertThat(version(0, moved).versionVector()).isEqualTo(version(1, moved).versionVector());
        assertThat(version(0, root).versionVector()).isEqualTo(version(1, root).versionVector());
    }

    /**
     * Replica 0 moves /m into directory /e as /e/m0 while replica 1 renames it /m1: a RENAME_RENAME naming names of two
     * directories. 'repair dir / --keep m=0' settles both in one write: the file is /e/m0 everywhere.
     */
    @Test
    void repairDirSettlesARenameRenameIntoAnotherDirectoryInOneWrite() {
        start(2);
        Fid e = ((Attr) mutate(new dev.strand.protocol.message.MkDir(root, "e", 0755)).reply()).fid();
        Fid m = ((Attr) mutate(new Create(root, "m", 0644, true)).reply()).fid();
        cut.get(1).set(true);
        mutate(new dev.strand.protocol.message.Rename(root, "m", e, "m0"));
        alone(1, new dev.strand.protocol.message.Rename(root, "m", root, "m1"));
        cut.get(1).set(false);
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(((VolumeReplica.Result.ConflictsPage) ask(q -> new VolumeReplica.ListConflicts(0, 0, q)))
                .conflicts()).extracting(c -> c.conflict().kind()).containsExactly("RENAME_RENAME");

        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of("m"), List.of(0), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(((VolumeReplica.Result.ConflictsPage) ask(q -> new VolumeReplica.ListConflicts(0, 0, q)))
                .conflicts()).isEmpty();
        assertThat(names(0)).doesNotContain("m", "m1").isEqualTo(names(1));
        VolumeReplica.Result.ObjectVersions inE = (VolumeReplica.Result.ObjectVersions) ask(
                q -> new VolumeReplica.ReadObjectVersion(e, "m0", q));
        assertThat(inE.versions()).extracting(v -> v.vnode().vnode()).containsExactly(m.vnode(), m.vnode());
        for (Fid f : List.of(root, e, m)) {
            assertThat(version(0, f).versionVector()).as("%s", f).isEqualTo(version(1, f).versionVector());
        }
    }

    /**
     * Replica 0 stores into /f and renames it /g while replica 1 stores into /f: an UPDATE_UPDATE naming /f and /g.
     * 'repair file' under either name says which 'repair dir' settles it, and that one does.
     */
    @Test
    void aFileChangedOnBothSidesAndRenamedOnOneIsRepairedByTheRepairDirRepairFileNames() {
        start(2);
        Fid f = ((Attr) mutate(new Create(root, "f", 0644, true)).reply()).fid();
        cut.get(1).set(true);
        assertThat(store(f, UUID.randomUUID(), 10)).isInstanceOf(VolumeReplica.Result.Done.class);
        mutate(new dev.strand.protocol.message.Rename(root, "f", root, "g"));
        UUID kept = UUID.randomUUID();
        storeAlone(1, f, kept, 20);
        cut.get(1).set(false);
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(((VolumeReplica.Result.ConflictsPage) ask(q -> new VolumeReplica.ListConflicts(0, 0, q)))
                .conflicts()).extracting(c -> c.conflict().kind()).containsExactly("UPDATE_UPDATE");

        for (String name : List.of("f", "g")) {
            for (int keep = 0; keep < 2; keep++) {
                int k = keep;
                assertThat(ask(q -> new VolumeReplica.RepairFile(root, name, k, null, q)))
                        .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> assertThat(
                                rejected.message()).contains("'strand repair dir'").contains("--keep f=R --keep g=R"));
            }
        }
        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of("f", "g"), List.of(1, 1), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        assertThat(names(0)).contains("f").doesNotContain("g").isEqualTo(names(1));
        assertThat(attr(0, f).size()).isEqualTo(20);
        assertThat(version(0, f).versionVector()).isEqualTo(version(1, f).versionVector());
    }

    /**
     * Replica 0 links /n0 as /n1 and unlinks it again while replica 1 creates another /n1: the NAME_NAME conflict on
     * /n1 names /n0's object too. 'repair dir / --keep n1=0' reads that object by fid on every replica and installs
     * it with one final version: its vectors end equal.
     */
    @Test
    void repairDirLeavesAnObjectOfTheConflictBoundElsewhereEqualOnEveryReplica() {
        start(2);
        Fid n0 = ((Attr) mutate(new Create(root, "n0", 0644, true)).reply()).fid();
        cut.get(1).set(true);
        mutate(new dev.strand.protocol.message.Link(root, "n1", n0));
        mutate(new Remove(root, "n1"));
        alone(1, new Create(root, "n1", 0644, true));
        cut.get(1).set(false);
        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(version(0, n0).versionVector()).isNotEqualTo(version(1, n0).versionVector());

        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of("n1"), List.of(0), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);

        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        assertThat(version(0, n0).versionVector()).isEqualTo(version(1, n0).versionVector());
        assertThat(names(0)).containsExactly("n0").isEqualTo(names(1));
    }

    @Test
    void renameOthersRefusesANameTooLongToTakeItsSuffix() {
        String longest = "x".repeat(dev.strand.protocol.ProtocolLimits.MAX_NAME_BYTES);
        divergeWithANameNameConflict(longest);
        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of(longest), List.of(1), true, q)))
                .isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
                    assertThat(rejected.status()).isEqualTo(Status.INVALID_ARGUMENT);
                    assertThat(rejected.message()).contains("cannot keep replica 0's object");
                });
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        assertThat(ask(q -> new VolumeReplica.RepairDir(root, List.of(longest), List.of(1), false, q)))
                .isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(names(0)).contains(longest);
    }

    /**
     * The case PausedNodeIT found: a replica misses a run of creates and catches up (it holds them now as copies,
     * with an empty log), while the others' logs still held those creates as "not at every replica". When it later
     * diverged, resolution replayed them on it and its state refused them ("already exists"): acknowledged creates
     * marked REPLAY_REFUSED and answering CONFLICT although only one side had written.
     */
    @Test
    void aReplicaThatCaughtUpOnMissedCreatesAndLaterDivergesResolvesWithoutConflicts() {
        start(3);
        cut.get(2).set(true);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // replica 2 misses them: behind
            mutate(new Create(root, "missed-" + i, 0644, true));
            expected.add("missed-" + i);
        }
        cut.get(2).set(false);
        awaitEveryReplicaCurrentWithEqualVectors(); // caught up from a current replica
        client.awaitAssert(RESOLVED, Duration.ofMillis(200), () -> {
            assertThat(stats().group()).as("no log claims an operation every replica holds is missing somewhere")
                    .extracting(ReplicaSummary::resolutionLogEntries).containsOnly(0);
            return null;
        });

        cut.get(2).set(true); // then it diverges: it misses a create and alone applies another
        mutate(new Create(root, "while-cut", 0644, true));
        alone(2, new Create(root, "on-2-alone", 0644, true));
        expected.add("while-cut");
        expected.add("on-2-alone");
        cut.get(2).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        for (int r = 0; r < 3; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** Fills the root with names until its image is larger than one message between nodes (128 KiB here). */
    private List<String> fillRootBeyondOneMessage() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1_300; i++) { // about 1,300 x 125 bytes
            String name = "a-name-long-enough-that-the-directory-outgrows-one-message-" + i;
            mutate(new Create(root, name, 0644, true));
            names.add(name);
        }
        return names;
    }

    @Test
    void aDirectoryLargerThanOneMessageThatDivergedIsReadInPiecesAndResolved() {
        start(2);
        List<String> expected = fillRootBeyondOneMessage();
        divergeReplicaOne();
        expected.add("on-0");
        expected.add("on-1-alone");
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    // ---- full comparison: the logs overflowed, so they cannot explain the difference --------------

    private void startWithResolutionLogsOf(int limit) {
        var quiet = ActorTestSupport.quietSettings();
        settings = new dev.strand.actors.volume.VolumeSettings(quiet.blobDeleteDelay(), quiet.sweepInterval(),
                quiet.idleBlobAge(), quiet.snapshotEvery(), quiet.snapshotsToKeep(), quiet.cop2Expiry(), limit);
        start(2);
    }

    /** {@code creates} files on each side of the partition (replica 1 cut off), more than the logs hold. */
    private List<String> createOnBothSides(int creates) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < creates; i++) {
            mutate(new Create(root, "zero-" + i, 0644, true));
            alone(1, new Create(root, "one-" + i, 0644, true));
            names.add("zero-" + i);
            names.add("one-" + i);
        }
        return names;
    }

    @Test
    void replicasWhoseLogsOverflowedAreComparedObjectByObjectAndAllEndCurrentWithEveryName() {
        startWithResolutionLogsOf(5);
        Attr changed = (Attr) mutate(new Create(root, "changed-on-one-side", 0644, true)).reply();
        // both replicas hold one version of it (its COP2 landed) before the partition: a change on one side dominates
        client.awaitAssert(RESOLVED, Duration.ofMillis(50), () -> assertThat(version(1, changed.fid()))
                .extracting(ReplicaVersion::versionVector, ReplicaVersion::dataVersion)
                .containsExactly(version(0, changed.fid()).versionVector(), version(0, changed.fid()).dataVersion()));
        cut.get(1).set(true);
        List<String> expected = createOnBothSides(20);
        alone(1, new SetAttr(changed.fid(), 0600, null, null));
        expected.add("changed-on-one-side");
        assertThat(((VolumeReplica.Result.Stats) ask(VolumeReplica.GetStats::new)).group())
                .as("replica 0's log overflowed").extracting(ReplicaSummary::resolutionLogEntries).contains(5);
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(attr(r, changed.fid()).mode() & 0777).as("replica " + r + ": the one-side change")
                    .isEqualTo(0600);
        }
        VolumeReplica.Result.Stats stats = stats();
        assertThat(stats.group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
        assertThat(stats.group()).extracting(ReplicaSummary::resolutionLogEntries).containsOnly(0);
        mutate(new Create(root, "after", 0644, true)); // the volume goes on, on both
        assertThat(names(1)).contains("after");
    }

    @Test
    void aDirectoryLargerThanOneMessageIsComparedAndInstalledInPiecesWhenTheLogsOverflowed() {
        startWithResolutionLogsOf(5);
        List<String> expected = fillRootBeyondOneMessage();
        cut.get(1).set(true);
        expected.addAll(createOnBothSides(20));
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(0);
    }

    @Test
    void aFileChangedOnBothSidesOfOverflowedLogsIsAConflictAndTheRestConverges() {
        startWithResolutionLogsOf(5);
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        cut.get(1).set(true);
        assertThat(store(file.fid(), UUID.randomUUID(), 10)).isInstanceOf(VolumeReplica.Result.Done.class);
        storeAlone(1, file.fid(), UUID.randomUUID(), 20);
        List<String> expected = createOnBothSides(20);
        expected.add("f");
        cut.get(1).set(false);

        awaitEveryReplicaCurrentWithEqualVectors();
        assertThat(stats().group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        VolumeReplica.Result read = ask(r -> new VolumeReplica.Execute(new dev.strand.protocol.message.GetAttr(
                file.fid()), "c", CoordinatedReplicas.nextRequestId(), r));
        assertThat(read).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(Status.CONFLICT);
            assertThat(rejected.message()).contains("UPDATE_UPDATE").contains("/f");
        });
        for (int r = 0; r < 2; r++) {
            assertThat(names(r)).as("replica " + r).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(version(0, file.fid()).versionVector()).as("each replica keeps its own version")
                .isNotEqualTo(version(1, file.fid()).versionVector());
    }
}

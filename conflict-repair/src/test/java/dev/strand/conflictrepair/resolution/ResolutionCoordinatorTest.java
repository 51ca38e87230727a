package dev.strand.conflictrepair.resolution;

import dev.strand.conflictrepair.resolution.ResolutionCoordinator.Failed;
import dev.strand.conflictrepair.resolution.ResolutionCoordinator.Outcome;
import dev.strand.conflictrepair.resolution.ResolutionCoordinator.Resolved;
import dev.strand.replication.VersionVector;
import dev.strand.volume.VnodeSync;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resolution protocol against fake participants: every way it ends reaches the parent as one outcome (or as the
 * coordinator's death), and nothing is performed unless every replica answered the reads.
 */
class ResolutionCoordinatorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Duration PHASE_TIMEOUT = Duration.ofMillis(300);
    private static final ResolutionCoordinator.Settings SETTINGS = new ResolutionCoordinator.Settings(PHASE_TIMEOUT,
            1000);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** Two replicas with empty logs and equal vectors, unless a test changes how one answers. */
    private static final class FakeReplicas implements Participants {
        final VersionVector[] vectors = {VersionVector.fromList(List.of(3L, 4L)), VersionVector.fromList(List.of(3L, 4L))};
        final List<Integer> performed = new CopyOnWriteArrayList<>();
        /** Per perform, in order: whether it adopted a vector (a full comparison's rounds before the last do not). */
        final List<Boolean> adopted = new CopyOnWriteArrayList<>();
        final List<Integer> listedVersions = new CopyOnWriteArrayList<>();
        final List<List<Long>> imagesRead = new CopyOnWriteArrayList<>();
        /** Per replica, its vnode versions, listed {@link #versionsPage} a page. */
        List<List<VnodeSync.Summary>> versions = List.of(List.of(), List.of());
        int versionsPage = 3;
        /** The images a replica answers for the vnodes asked (none unless a test says). */
        BiFunction<Integer, List<Long>, List<dev.strand.volume.VolumeSnapshot.VnodeRecord>> images =
                (replica, vnodes) -> List.of();
        /** Replica 1's performs, in order. */
        final List<Perform> performedOnOne = new CopyOnWriteArrayList<>();
        IntFunction<CompletionStage<LogPage>> log = i -> CompletableFuture.completedFuture(
                new LogPage(List.of(), false, vectors[i], 10, 20, false));
        BiFunction<Integer, Perform, CompletionStage<Void>> perform = (i, p) -> {
            if (p.vector() != null) {
                vectors[i] = p.vector();
            }
            adopted.add(p.vector() != null);
            if (i == 1) {
                performedOnOne.add(p);
            }
            performed.add(i);
            return CompletableFuture.completedFuture(null);
        };

        @Override
        public int count() {
            return 2;
        }

        @Override
        public CompletionStage<LogPage> readLog(int replica, int skip) {
            return log.apply(replica);
        }

        @Override
        public CompletionStage<Boolean> settle(int replica, List<Long> loggedOpIds) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<ImagesPage> readImages(int replica, List<Long> vnodes, int skip) {
            if (!vnodes.isEmpty()) { // (the logs, empty here, name none)
                imagesRead.add(vnodes);
            }
            return CompletableFuture.completedFuture(new ImagesPage(images.apply(replica, vnodes), false));
        }

        @Override
        public CompletionStage<VersionsPage> listVersions(int replica, long after) {
            listedVersions.add(replica);
            List<VnodeSync.Summary> rest = versions.get(replica).stream().filter(v -> v.vnode() > after).toList();
            return CompletableFuture.completedFuture(new VersionsPage(rest.subList(0, Math.min(versionsPage,
                    rest.size())), rest.size() <= versionsPage));
        }

        @Override
        public CompletionStage<Void> perform(int replica, Perform perform) {
            return this.perform.apply(replica, perform);
        }

        @Override
        public CompletionStage<VersionVector> volumeVector(int replica) {
            return CompletableFuture.completedFuture(vectors[replica]);
        }
    }

    private ActorRef<ResolutionCoordinator.Command> start(FakeReplicas replicas, TestProbe<Outcome> parent) {
        return start(replicas, parent, SETTINGS);
    }

    private ActorRef<ResolutionCoordinator.Command> start(FakeReplicas replicas, TestProbe<Outcome> parent,
                                                          ResolutionCoordinator.Settings settings) {
        return testKit.spawn(ResolutionCoordinator.create(7, 42, replicas, settings, parent.getRef()));
    }

    /** Vnodes 1..{@code count} at data version {@code dataVersion} (each with the same vector). */
    private static List<VnodeSync.Summary> versions(int count, IntFunction<Long> dataVersion) {
        List<VnodeSync.Summary> versions = new ArrayList<>();
        for (int vnode = 1; vnode <= count; vnode++) {
            versions.add(new VnodeSync.Summary(vnode, 1, dataVersion.apply(vnode),
                    VersionVector.fromList(List.of(1L, 1L))));
        }
        return versions;
    }

    /** The log plan refused by every replica (their state changed), so they are compared fully; then performs. */
    private static void refuseTheLogPlan(FakeReplicas replicas) {
        var performing = replicas.perform;
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        replicas.perform = (i, p) -> asked.incrementAndGet() <= 2
                ? CompletableFuture.failedFuture(new Participants.Refused("changed", true)) : performing.apply(i, p);
    }

    @Test
    void replicasWithNothingToMergePerformTheNewVectorAndAreAllResolved() {
        FakeReplicas replicas = new FakeReplicas();
        TestProbe<Outcome> parent = testKit.createTestProbe();
        ActorRef<ResolutionCoordinator.Command> coordinator = start(replicas, parent);

        Resolved resolved = parent.expectMessageClass(Resolved.class);
        assertThat(resolved.resolution()).isEqualTo(42);
        assertThat(resolved.performed()).containsExactly(0, 1);
        assertThat(resolved.comparedFully()).isFalse();
        // the new vector dominates both old ones (every slot one higher than the merge)
        assertThat(replicas.vectors[0]).isEqualTo(VersionVector.fromList(List.of(4L, 5L)));
        assertThat(replicas.vectors[1]).isEqualTo(replicas.vectors[0]);
        parent.expectTerminated(coordinator);
    }

    @Test
    void aReplicaThatNeverAnswersEndsItFailedWithinThePhaseTimeoutAndNothingIsPerformed() {
        FakeReplicas replicas = new FakeReplicas();
        var answering = replicas.log;
        replicas.log = i -> i == 1 ? new CompletableFuture<>() : answering.apply(i);
        TestProbe<Outcome> parent = testKit.createTestProbe();
        ActorRef<ResolutionCoordinator.Command> coordinator = start(replicas, parent);

        Failed failed = parent.expectMessageClass(Failed.class, PHASE_TIMEOUT.multipliedBy(10));
        assertThat(failed.reason()).contains("reading the resolution logs").contains("no answer");
        assertThat(replicas.performed).isEmpty();
        parent.expectTerminated(coordinator);
    }

    @Test
    void aReplicaThatRefusesItsLogEndsItFailedWithItsReason() {
        FakeReplicas replicas = new FakeReplicas();
        var answering = replicas.log;
        replicas.log = i -> i == 0 ? CompletableFuture.failedFuture(new Participants.Refused("stopping", false))
                : answering.apply(i);
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent);

        assertThat(parent.expectMessageClass(Failed.class).reason()).isEqualTo("replica 0 refused: stopping");
        assertThat(replicas.performed).isEmpty();
    }

    @Test
    void aReplicaThatRefusesToPerformCatchesUpFromTheOneThatPerformed() {
        FakeReplicas replicas = new FakeReplicas();
        var performing = replicas.perform;
        replicas.perform = (i, p) -> i == 1 ? CompletableFuture.failedFuture(new Participants.Refused("full", false))
                : performing.apply(i, p);
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent);

        Resolved resolved = parent.expectMessageClass(Resolved.class);
        assertThat(resolved.performed()).containsExactly(0); // replica 1 is untouched: it catches up from 0
    }

    @Test
    void aPerformWhoseAnswerIsLostCountsWhenTheReplicasVectorShowsItLanded() {
        FakeReplicas replicas = new FakeReplicas();
        var performing = replicas.perform;
        replicas.perform = (i, p) -> {
            performing.apply(i, p);
            return i == 1 ? CompletableFuture.failedFuture(new IllegalStateException("ask timed out"))
                    : CompletableFuture.completedFuture(null);
        };
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent);

        assertThat(parent.expectMessageClass(Resolved.class).performed()).containsExactly(0, 1);
    }

    @Test
    void everyReplicaRefusingTheLogPlanFallsBackToAFullComparisonOnceThenFails() {
        FakeReplicas replicas = new FakeReplicas();
        replicas.perform = (i, p) -> CompletableFuture.failedFuture(new Participants.Refused("changed", true));
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent);

        Failed failed = parent.expectMessageClass(Failed.class);
        assertThat(replicas.listedVersions).containsExactlyInAnyOrder(0, 1); // compared fully, once
        assertThat(failed.reason()).startsWith("no replica performed its steps");
    }

    @Test
    void aFullComparisonListsTheReplicasPageByPageAndReadsOnlyWhatDiffers() {
        FakeReplicas replicas = new FakeReplicas();
        refuseTheLogPlan(replicas);
        replicas.versions = List.of(versions(10, v -> 1L), versions(11, v -> v == 4 || v == 8 ? 2L : 1L));
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent);

        Resolved resolved = parent.expectMessageClass(Resolved.class);
        assertThat(resolved.comparedFully()).isTrue();
        assertThat(replicas.imagesRead).containsExactly(List.of(4L, 8L, 11L), List.of(4L, 8L, 11L));
        // four pages of three from each (the last of replica 0 says so; replica 1's fourth holds vnodes 10 and 11)
        assertThat(replicas.listedVersions).containsExactlyInAnyOrder(0, 0, 0, 0, 1, 1, 1, 1);
    }

    @Test
    void aFullComparisonOfMoreThanOneRoundReadsEachRoundsNumbersAndOnlyTheLastAdoptsTheVector() {
        FakeReplicas replicas = new FakeReplicas();
        refuseTheLogPlan(replicas);
        replicas.versions = List.of(versions(12, v -> 1L), versions(12, v -> 2L)); // every vnode differs
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent, new ResolutionCoordinator.Settings(PHASE_TIMEOUT, 5));

        Resolved resolved = parent.expectMessageClass(Resolved.class);
        assertThat(resolved.comparedFully()).isTrue();
        // rounds of five, each listed above the last: the fakes hold no images, so the rounds have nothing to perform
        assertThat(replicas.imagesRead).containsExactly(List.of(1L, 2L, 3L, 4L, 5L), List.of(1L, 2L, 3L, 4L, 5L),
                List.of(6L, 7L, 8L, 9L, 10L), List.of(6L, 7L, 8L, 9L, 10L), List.of(11L, 12L), List.of(11L, 12L));
        assertThat(replicas.adopted).as("the last round adopts the vector, once per replica")
                .containsExactly(true, true);
    }

    /** Files {@code vnodes} under {@code parent} (-1: each its own, so decided at once), at version {@code vector}. */
    private static List<dev.strand.volume.VolumeSnapshot.VnodeRecord> files(List<Long> vnodes, long parent,
                                                                          long... vector) {
        return vnodes.stream().map(v -> new dev.strand.volume.VolumeSnapshot.VnodeRecord(v, 1,
                dev.strand.protocol.message.FileType.FILE, 0644, "o", 0, 1, 1, 1, 1,
                VersionVector.fromList(java.util.Arrays.stream(vector).boxed().toList()), null, 0, null,
                parent < 0 ? v : parent, List.of())).toList();
    }

    @Test
    void aRoundsStepsArePerformedWithoutTheVectorBeforeTheNextRoundIsListed() {
        FakeReplicas replicas = new FakeReplicas();
        refuseTheLogPlan(replicas);
        replicas.versions = List.of(versions(7, v -> 1L), versions(7, v -> 2L));
        replicas.images = (replica, vnodes) -> replica == 0 ? files(vnodes, -1, 2, 1) : files(vnodes, -1, 1, 1);
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent, new ResolutionCoordinator.Settings(PHASE_TIMEOUT, 5));

        parent.expectMessageClass(Resolved.class);
        assertThat(replicas.adopted).as("round 1 without the vector, the last with it")
                .containsExactly(false, false, true, true);
        assertThat(replicas.performedOnOne).extracting(p -> p.steps().size()).containsExactly(5, 2);
        assertThat(replicas.performedOnOne.get(0).steps()).first().isInstanceOf(dev.strand.conflictrepair.PlanStep
                .Install.class);
    }

    @Test
    void aFullComparisonWhoseCarriedObjectsLeaveNoRoomForARoundPerformsNothing() {
        FakeReplicas replicas = new FakeReplicas();
        refuseTheLogPlan(replicas);
        replicas.versions = List.of(versions(12, v -> 1L), versions(12, v -> 2L));
        // every object is under directory 99, not listed yet: each round defers all it reads
        replicas.images = (replica, vnodes) -> files(vnodes, 99, 1, 1);
        TestProbe<Outcome> parent = testKit.createTestProbe();
        start(replicas, parent, new ResolutionCoordinator.Settings(PHASE_TIMEOUT, 5));

        Failed failed = parent.expectMessageClass(Failed.class);
        assertThat(failed.reason()).contains("carries 5 objects it cannot decide yet");
        assertThat(replicas.performed).isEmpty();
    }

    @Test
    void aResolutionCoordinatorStoppedMidwayIsSeenDeadByItsParentWithoutAnOutcomeAndPerformsNothing() {
        FakeReplicas replicas = new FakeReplicas();
        CompletableFuture<Participants.LogPage> held = new CompletableFuture<>();
        replicas.log = i -> held;
        TestProbe<Outcome> parent = testKit.createTestProbe();
        ActorRef<ResolutionCoordinator.Command> coordinator = start(replicas, parent);

        testKit.stop(coordinator);
        parent.expectTerminated(coordinator);
        held.complete(new Participants.LogPage(List.of(), false, replicas.vectors[0], 1, 1, false));
        parent.expectNoMessage(PHASE_TIMEOUT.multipliedBy(2));
        assertThat(replicas.performed).isEmpty();
    }
}

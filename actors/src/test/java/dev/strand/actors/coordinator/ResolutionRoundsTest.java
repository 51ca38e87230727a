package dev.strand.actors.coordinator;

import com.typesafe.config.ConfigFactory;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.volume.ReplicaVersion;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A FULL COMPARISON IN ROUNDS with real replicas: the logs overflowed, and more objects differ than one round of
 * the comparison takes ({@code strand.coordinator.comparison-round} set small), so it walks them round by round,
 * each round's steps performed before the next is listed; the resolution completes.
 */
class ResolutionRoundsTest {

    private static final int ROUND = 8;
    private static final AtomicLong VOLUME_IDS = new AtomicLong(4700);
    private static final AtomicLong ALONE_OP_IDS = new AtomicLong(OperationIds.FIRST + (1L << 41));
    private static final Duration RESOLVED = Duration.ofSeconds(60);
    private static final Duration ANSWER = Duration.ofSeconds(5);

    private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
            "strand.coordinator.comparison-round = " + ROUND).withFallback(ActorTestSupport.inMemoryPersistence()));
    /** Every ApplyResolution a replica was sent: whether it carried the new volume vector. */
    private final List<Boolean> applies = new CopyOnWriteArrayList<>();
    /** Replica 1's round (steps only) whose ApplyResolution is lost, once (0: none). */
    private final AtomicInteger loseRoundOnOne = new AtomicInteger();
    private final AtomicInteger roundsToOne = new AtomicInteger();
    private final CoordinatedReplicas group = new CoordinatedReplicas(testKit, VOLUME_IDS.incrementAndGet(),
            (replica, message) -> {
                if (message instanceof VolumeReplica.ApplyResolution apply) {
                    applies.add(apply.volumeVector() != null);
                    if (replica == 1 && apply.volumeVector() == null
                            && roundsToOne.incrementAndGet() == loseRoundOnOne.get()) {
                        return false; // replica 1 never sees this round: the resolution dies half way
                    }
                }
                return true;
            });

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private void start() {
        var quiet = ActorTestSupport.quietSettings();
        group.replicas(2, new VolumeSettings(quiet.blobDeleteDelay(), quiet.sweepInterval(), quiet.idleBlobAge(),
                quiet.snapshotEvery(), quiet.snapshotsToKeep(), quiet.cop2Expiry(), 5)); // logs of 5: they overflow
        group.coordinator(CoordinatedReplicas.settings(Duration.ofMillis(500), Duration.ofHours(1)));
    }

    private VolumeReplica.Result.Done mutate(Request request) {
        return group.mutate(request, ANSWER);
    }

    private VolumeReplica.Result.Done alone(Request request) {
        return group.alone(List.of(1), ALONE_OP_IDS.incrementAndGet(), System.currentTimeMillis(), request);
    }

    private List<String> names(int r, Fid dir) {
        List<String> names = new ArrayList<>();
        ReadDirReply page;
        do {
            String after = names.isEmpty() ? null : names.get(names.size() - 1);
            group.real.get(r).tell(new VolumeReplica.Execute(new ReadDir(dir, after, 1000, false), "c",
                    CoordinatedReplicas.nextRequestId(), group.client.getRef()));
            page = (ReadDirReply) group.client.expectMessageClass(VolumeReplica.Result.Done.class).reply();
            page.entries().forEach(e -> names.add(e.name()));
        } while (!page.eof() && !page.entries().isEmpty());
        return names;
    }

    private ReplicaVersion version(int r, Fid fid) {
        group.real.get(r).tell(new VolumeReplica.Validate(fid, group.client.getRef()));
        return group.client.expectMessageClass(VolumeReplica.Result.Validation.class).replicas().get(0);
    }

    /** What the replicas must hold once resolved: the names in the root, sub and made-alone; the file in conflict. */
    private record Expected(List<String> inRoot, Attr sub, List<String> inSub, Attr file, Attr made,
                            List<String> inMade) {}

    /**
     * Logs of 5, then replica 1 cut off while both sides create 15 names in the root, replica 0 fills directory sub
     * with 15 more, replica 1 makes directory made-alone with 5 files and both store file f: far more objects differ
     * than a round of 8 takes.
     */
    private Expected divergeManyObjects() {
        start();
        Fid root = group.root;
        Attr sub = (Attr) mutate(new MkDir(root, "sub", 0755)).reply();
        Attr file = (Attr) mutate(new Create(root, "f", 0644, true)).reply();
        group.cut.get(1).set(true);
        List<String> inRoot = new ArrayList<>(List.of("sub", "f"));
        List<String> inSub = new ArrayList<>();
        for (int i = 0; i < 15; i++) { // names created on both sides of the partition: their union is kept
            mutate(new Create(root, "zero-" + i, 0644, true));
            alone(new Create(root, "one-" + i, 0644, true));
            mutate(new Create(sub.fid(), "in-sub-" + i, 0644, true)); // sub changed on one side only: it dominates
            inRoot.add("zero-" + i);
            inRoot.add("one-" + i);
            inSub.add("in-sub-" + i);
        }
        // a directory only replica 1 made, with files in it: installed on replica 0, its files in later rounds
        Attr made = (Attr) alone(new MkDir(root, "made-alone", 0755)).reply();
        List<String> inMade = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alone(new Create(made.fid(), "a-" + i, 0644, true));
            inMade.add("a-" + i);
        }
        inRoot.add("made-alone");
        // the same file stored on both sides: a conflict
        assertThat(group.ask(r -> new VolumeReplica.CommitStore(file.fid(), UUID.randomUUID(), 10, "test-client",
                CoordinatedReplicas.nextRequestId(), r), ANSWER)).isInstanceOf(VolumeReplica.Result.Done.class);
        group.real.get(1).tell(new VolumeReplica.CommitStore(file.fid(), UUID.randomUUID(), 20, "other-side",
                CoordinatedReplicas.nextRequestId(), group.client.getRef(), new Cop1(ALONE_OP_IDS.incrementAndGet(),
                System.currentTimeMillis(), List.of())));
        group.client.expectMessageClass(VolumeReplica.Result.Done.class);
        return new Expected(inRoot, sub, inSub, file, made, inMade);
    }

    /** Every replica current with equal vectors, every name kept, the one conflict marked, the volume going on. */
    private void assertResolved(Expected expected) {
        Fid root = group.root;
        group.awaitEveryReplicaCurrentWithEqualVectors(RESOLVED, ANSWER);
        for (int r = 0; r < 2; r++) {
            assertThat(names(r, root)).as("replica " + r + "'s root")
                    .containsExactlyInAnyOrderElementsOf(expected.inRoot());
            assertThat(names(r, expected.sub().fid())).as("replica " + r + "'s sub")
                    .containsExactlyInAnyOrderElementsOf(expected.inSub());
            assertThat(names(r, expected.made().fid())).as("replica " + r + "'s made-alone")
                    .containsExactlyInAnyOrderElementsOf(expected.inMade());
        }
        VolumeReplica.Result.Stats stats = group.stats(ANSWER);
        assertThat(stats.group()).extracting(ReplicaSummary::conflicts).containsOnly(1);
        assertThat(stats.group()).extracting(ReplicaSummary::resolutionLogEntries).containsOnly(0);
        Fid file = expected.file().fid();
        VolumeReplica.Result read = group.ask(r -> new VolumeReplica.Execute(new GetAttr(file), "c",
                CoordinatedReplicas.nextRequestId(), r), ANSWER);
        assertThat(read).isInstanceOfSatisfying(VolumeReplica.Result.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(Status.CONFLICT);
            assertThat(rejected.message()).contains("UPDATE_UPDATE");
        });
        assertThat(version(0, file).versionVector()).as("each replica keeps its own version")
                .isNotEqualTo(version(1, file).versionVector());
        mutate(new Create(root, "after", 0644, true)); // the volume goes on, on both
        assertThat(names(1, root)).contains("after");
    }

    @Test
    void moreObjectsDifferThanOneRoundTakesAndTheComparisonCompletesInRoundsLosingNothingThatDidNotConflict() {
        Expected expected = divergeManyObjects();
        group.cut.get(1).set(false);

        assertResolved(expected);
        assertThat(applies).as("several rounds of steps, then the last one with the new vector on each replica")
                .filteredOn(v -> !v).hasSizeGreaterThanOrEqualTo(2 * 3);
        assertThat(applies).filteredOn(v -> v).hasSize(2);
    }

    @Test
    void aComparisonThatDiesHalfWayLeavesTheReplicasDivergedAndTheRetryCompletesIt() {
        Expected expected = divergeManyObjects();
        loseRoundOnOne.set(2); // replica 0 performs round 2, replica 1 never hears of it
        group.cut.get(1).set(false);

        assertResolved(expected);
        assertThat(roundsToOne.get()).as("the first try died in round 2, the retry went through every round")
                .isGreaterThan(3);
        assertThat(applies).filteredOn(v -> v).as("only the retry's last round adopted the vector").hasSize(2);
    }
}

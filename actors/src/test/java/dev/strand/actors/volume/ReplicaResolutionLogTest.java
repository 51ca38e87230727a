package dev.strand.actors.volume;

import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica's resolution log as the replica keeps it: built from what it persists under COP1 and COP2, reported in
 * its figures, bounded by {@code strand.volume.resolution-log-limit}, and the same after a recovery from the journal
 * alone or from a snapshot.
 */
class ReplicaResolutionLogTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private static final AtomicLong volumeIds = new AtomicLong(47_000);
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private final long volumeId = volumeIds.incrementAndGet();
    private final String entityId = VolumeReplica.entityId(volumeId, 0);
    private final Fid root = Fid.root(volumeId);
    private final InMemoryChunkStore chunks = new InMemoryChunkStore();

    private static VolumeSettings settings(int snapshotEvery, int resolutionLogLimit) {
        VolumeSettings quiet = ActorTestSupport.quietSettings();
        return new VolumeSettings(quiet.blobDeleteDelay(), quiet.sweepInterval(), quiet.idleBlobAge(), snapshotEvery,
                2, quiet.cop2Expiry(), resolutionLogLimit);
    }

    private VolumeReplica.Result ask(ActorRef<VolumeReplica.Command> replica,
                                     java.util.function.Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
        replica.tell(command.apply(probe.getRef()));
        return probe.expectMessageClass(VolumeReplica.Result.class, AWAIT);
    }

    private ReplicaSummary self(ActorRef<VolumeReplica.Command> replica) {
        return ((VolumeReplica.Result.Stats) ask(replica, VolumeReplica.GetStats::new)).self();
    }

    /** Replica 0 of three: creates under COP1 as operations 101.., then COP2 of 101 (everywhere), 102 (two of three). */
    private ActorRef<VolumeReplica.Command> replicaWithFourOperations(VolumeSettings settings) {
        ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks, settings, ActorTestSupport.fence()));
        ask(replica, r -> new VolumeReplica.Initialize(volumeId, "rlog-" + volumeId, 1, r, 3));
        for (int i = 0; i < 4; i++) {
            long opId = 101 + i;
            assertThat(ask(replica, r -> new VolumeReplica.Execute(new Create(root, "f" + opId, 0644, true), "c",
                    opId, r, new Cop1(opId, 1000 + opId, List.of()))))
                    .isInstanceOf(VolumeReplica.Result.Done.class);
        }
        ask(replica, r -> new VolumeReplica.Cop2(List.of(new Cop2Update(101, List.of(0, 1, 2)),
                new Cop2Update(102, List.of(0, 1))), r));
        return replica;
    }

    @Test
    void theReplicaKeepsWhatIsNotYetEverywhereAndReportsIt() {
        ActorRef<VolumeReplica.Command> replica = replicaWithFourOperations(settings(1000, 500));

        ReplicaSummary self = self(replica);
        assertThat(self.resolutionLogEntries()).as("102 (partial COP2), 103, 104 (no COP2 yet)").isEqualTo(3);
        assertThat(self.conflicts()).isZero();
        assertThat(self.pendingCop2()).isEqualTo(2);
    }

    @Test
    void aReplayOfTheJournalRebuildsTheLog() {
        VolumeSettings settings = settings(1000, 500);
        ActorRef<VolumeReplica.Command> replica = replicaWithFourOperations(settings);
        testKit.stop(replica);

        ActorRef<VolumeReplica.Command> replayed = testKit.spawn(VolumeReplica.create(entityId, chunks, settings, ActorTestSupport.fence()));

        assertThat(self(replayed).resolutionLogEntries()).isEqualTo(3);
    }

    @Test
    void aRecoveryFromASnapshotRestoresTheLogWithinTheConfiguredLimit() {
        VolumeSettings snapshotting = settings(3, 2); // a snapshot every 3 events; a log of at most 2 entries
        ActorRef<VolumeReplica.Command> replica = replicaWithFourOperations(snapshotting);
        assertThat(self(replica).resolutionLogEntries()).as("103, 104: 102 dropped for space").isEqualTo(2);
        testKit.stop(replica);

        ActorRef<VolumeReplica.Command> recovered = testKit.spawn(VolumeReplica.create(entityId, chunks, snapshotting, ActorTestSupport.fence()));

        assertThat(self(recovered).resolutionLogEntries()).isEqualTo(2);
        ask(recovered, r -> new VolumeReplica.Cop2(List.of(new Cop2Update(103, List.of(0, 1, 2))), r));
        assertThat(self(recovered).resolutionLogEntries()).isEqualTo(1);
    }
}

package dev.strand.actors.volume;

import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Symlink;
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
 * A replica whose journal failed restarts from a clean replay: its state is what its events say, with no trace
 * of the mutation whose write failed and no event applied twice (a Cassandra restart under load once doubled a
 * node's counters, and a symlink whose write failed stayed in memory as a vnode in no directory).
 */
class ReplicaRecoveryTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    private static final AtomicLong volumeIds = new AtomicLong(31_000);
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private final long volumeId = volumeIds.incrementAndGet();
    private final String entityId = VolumeReplica.entityId(volumeId, 0);
    private final Fid root = Fid.root(volumeId);
    private final InMemoryChunkStore chunks = new InMemoryChunkStore();

    private ActorRef<VolumeReplica.Command> spawn(VolumeSettings settings) {
        return testKit.spawn(VolumeReplica.create(entityId, chunks, settings, ActorTestSupport.fence()));
    }

    private VolumeReplica.Result ask(ActorRef<VolumeReplica.Command> replica,
                                     java.util.function.Function<ActorRef<VolumeReplica.Result>, VolumeReplica.Command> command) {
        TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
        replica.tell(command.apply(probe.getRef()));
        return probe.expectMessageClass(VolumeReplica.Result.class, AWAIT);
    }

    private VolumeReplica.Result execute(ActorRef<VolumeReplica.Command> replica, Request request, long requestId) {
        return ask(replica, r -> new VolumeReplica.Execute(request, "client-x", requestId, r));
    }

    /** Asks until the replica answers: messages sent while it waits to restart are dropped. */
    private VolumeReplica.Result.Stats statsOnceBack(ActorRef<VolumeReplica.Command> replica) {
        TestProbe<VolumeReplica.Result> waiter = testKit.createTestProbe();
        return waiter.awaitAssert(AWAIT, () -> {
            TestProbe<VolumeReplica.Result> probe = testKit.createTestProbe();
            replica.tell(new VolumeReplica.GetStats(probe.getRef()));
            return probe.expectMessageClass(VolumeReplica.Result.Stats.class, Duration.ofMillis(500));
        });
    }

    private static List<String> names(VolumeReplica.Result listing) {
        ReadDirReply reply = (ReadDirReply) ((VolumeReplica.Result.Done) listing).reply();
        return reply.entries().stream().map(DirEntry::name).toList();
    }

    private static Figures figures(VolumeReplica.Result.Stats s) {
        return new Figures(s.files(), s.directories(), s.symlinks(), s.bytes(), s.versionVector());
    }

    private record Figures(long files, long directories, long symlinks, long bytes, List<Long> versionVector) {}

    @Test
    void aFailedWriteRestartsTheReplicaFromACleanReplayThatLeavesNoTraceOfIt() {
        ActorRef<VolumeReplica.Command> replica = spawn(ActorTestSupport.quietSettings());
        ask(replica, r -> new VolumeReplica.Initialize(volumeId, "recovery-" + volumeId, 1, r));
        Attr a = (Attr) ((VolumeReplica.Result.Done) execute(replica, new Create(root, "a", 0644, true), 1)).reply();

        journal.failNextPersisted("volume-" + entityId);
        TestProbe<VolumeReplica.Result> unanswered = testKit.createTestProbe();
        replica.tell(new VolumeReplica.Execute(new Symlink(root, "b", "a"), "client-x", 2, unanswered.getRef()));
        unanswered.expectNoMessage(Duration.ofMillis(300)); // its write failed: no answer, the replica restarts

        Figures afterRestart = figures(statsOnceBack(replica));
        assertThat(afterRestart).isEqualTo(new Figures(1, 1, 0, 0, List.of(2L)));
        assertThat(names(execute(replica, new ReadDir(root, null, 100, false), 3))).containsExactly("a");

        // the retry window is the journal's: the applied create is recognised, the failed symlink is not
        VolumeReplica.Result.Done createAgain = (VolumeReplica.Result.Done) execute(replica,
                new Create(root, "a", 0644, true), 1);
        assertThat(((Attr) createAgain.reply()).fid()).isEqualTo(a.fid());
        assertThat(createAgain.committed()).isFalse();
        VolumeReplica.Result.Done symlinkAgain = (VolumeReplica.Result.Done) execute(replica,
                new Symlink(root, "b", "a"), 2);
        assertThat(symlinkAgain.committed()).as("applied now, for the first time").isTrue();

        // and what the restarted replica holds is what a fresh replay of the same journal gives
        Figures live = figures(statsOnceBack(replica));
        testKit.stop(replica);
        ActorRef<VolumeReplica.Command> replayed = spawn(ActorTestSupport.quietSettings());
        assertThat(figures(statsOnceBack(replayed))).isEqualTo(live).isEqualTo(new Figures(1, 1, 1, 0, List.of(3L)));
        assertThat(names(execute(replayed, new ReadDir(root, null, 100, false), 5))).containsExactly("a", "b");
    }

    @Test
    void anExpiredCop2EntryStaysExpiredAfterARestart() {
        VolumeSettings expiring = new VolumeSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
                1000, 2, Duration.ofMillis(300));
        ActorRef<VolumeReplica.Command> replica = spawn(expiring);
        ask(replica, r -> new VolumeReplica.Initialize(volumeId, "recovery-" + volumeId, 1, r, 3));
        ask(replica, r -> new VolumeReplica.Execute(new Create(root, "f", 0644, true), "c", 1, r,
                new Cop1(77, 1000, List.of())));
        TestProbe<VolumeReplica.Result> waiter = testKit.createTestProbe();
        waiter.awaitAssert(AWAIT, () -> {
            assertThat(statsOnceBack(replica).self().pendingCop2()).isZero();
            return null;
        });

        testKit.stop(replica);
        ActorRef<VolumeReplica.Command> restarted = spawn(expiring);

        assertThat(statsOnceBack(restarted).self().pendingCop2()).as("the expiry is an event").isZero();
    }
}

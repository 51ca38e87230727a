package dev.strand.actors.volume;

import dev.strand.volume.RecentRequests;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Symlink;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The replica's command protocol, on the in-memory journal; every command and event is serialised. */
class VolumeReplicaTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private static final AtomicLong volumeIds = new AtomicLong(100);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private final long volumeId = volumeIds.incrementAndGet();
    private final AtomicLong requestIds = new AtomicLong();
    private final Fid root = Fid.root(volumeId);
    private final EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> replica =
            replica(ActorTestSupport.quietSettings());

    private EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> replica(VolumeSettings settings) {
        return EventSourcedBehaviorTestKit.create(testKit.system(),
                ReplicaBehavior.createClaimed(VolumeReplica.entityId(volumeId, 0), new InMemoryChunkStore(), settings, ActorTestSupport.fence()),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    }

    private CommandResultWithReply<VolumeReplica.Command, VolumeEvent, Volume, VolumeReplica.Result> initialize() {
        return replica.runCommand(replyTo -> new VolumeReplica.Initialize(volumeId, "vol-" + volumeId, 1234, replyTo));
    }

    private CommandResultWithReply<VolumeReplica.Command, VolumeEvent, Volume, VolumeReplica.Result> execute(
            Request request) {
        // every request its own id: a repeated id is a retry, answered again rather than applied
        long requestId = requestIds.incrementAndGet();
        return replica.runCommand(replyTo -> new VolumeReplica.Execute(request, "client-1", requestId, replyTo));
    }

    private Reply done(Request request) {
        return execute(request).replyOfType(VolumeReplica.Result.Done.class).reply();
    }

    private Fid file(String name) {
        return ((Attr) done(new Create(root, name, 0644, true))).fid();
    }

    // ---- initialisation ----------------------------------------------------------------------

    @Test
    void anUninitialisedReplicaAnswersNoSuchVolume() {
        var result = execute(new GetAttr(root));

        assertThat(result.replyOfType(VolumeReplica.Result.Rejected.class).status()).isEqualTo(Status.NO_SUCH_VOLUME);
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void initializeCreatesTheRootDirectoryAndAnswersTheVolume() {
        var result = initialize();

        assertThat(result.event()).isInstanceOf(VolumeEvent.VolumeInitialized.class);
        VolumeInfo info = (VolumeInfo) result.replyOfType(VolumeReplica.Result.Done.class).reply();
        assertThat(info.id()).isEqualTo(volumeId);
        assertThat(info.root()).isEqualTo(root);
        assertThat(info.directories()).isEqualTo(1);
        assertThat(((Attr) done(new GetAttr(root))).type()).isEqualTo(FileType.DIRECTORY);
    }

    @Test
    void initializeAgainChangesNothingAndAnswersTheSameVolume() {
        VolumeReplica.Result first = initialize().reply();

        var again = initialize();

        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply()).isEqualTo(first);
    }

    @Test
    void initializeForAnotherVolumeIdIsRefused() {
        var result = replica.<VolumeReplica.Result>runCommand(
                replyTo -> new VolumeReplica.Initialize(volumeId + 1, "other", 1, replyTo));

        assertThat(result.replyOfType(VolumeReplica.Result.Rejected.class).status()).isEqualTo(Status.INVALID_ARGUMENT);
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void initializeWithABadVolumeNameIsRefused() {
        var result = replica.<VolumeReplica.Result>runCommand(
                replyTo -> new VolumeReplica.Initialize(volumeId, "bad name!", 1, replyTo));

        assertThat(result.replyOfType(VolumeReplica.Result.Rejected.class).status()).isEqualTo(Status.BAD_VOLUME_NAME);
    }

    // ---- mutations: one event each -----------------------------------------------------------

    @Test
    void createCommitsFileCreatedAndAnswersTheNewFilesAttributes() {
        initialize();

        var result = execute(new Create(root, "a", 0644, true));

        VolumeEvent.FileCreated event = result.eventOfType(VolumeEvent.FileCreated.class);
        Attr attr = (Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply();
        assertThat(attr.fid()).isEqualTo(event.file());
        assertThat(event.origin().clientId()).isEqualTo("client-1");
    }

    @Test
    void mkdirCommitsDirectoryCreated() {
        initialize();

        var result = execute(new MkDir(root, "d", 0755));

        assertThat(result.event()).isInstanceOf(VolumeEvent.DirectoryCreated.class);
        assertThat(((Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply()).type())
                .isEqualTo(FileType.DIRECTORY);
    }

    @Test
    void symlinkCommitsSymlinkCreated() {
        initialize();

        var result = execute(new Symlink(root, "l", "target"));

        assertThat(result.event()).isInstanceOf(VolumeEvent.SymlinkCreated.class);
        Fid link = ((Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply()).fid();
        assertThat(((ReadLinkReply) done(new ReadLink(link))).target()).isEqualTo("target");
    }

    @Test
    void linkCommitsLinkAdded() {
        initialize();
        Fid file = file("a");

        var result = execute(new Link(root, "b", file));

        assertThat(result.event()).isInstanceOf(VolumeEvent.LinkAdded.class);
        assertThat(((Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply()).linkCount()).isEqualTo(2);
    }

    @Test
    void removeCommitsEntryRemovedAndAnswersEmpty() {
        initialize();
        file("a");

        var result = execute(new Remove(root, "a"));

        assertThat(result.event()).isInstanceOf(VolumeEvent.EntryRemoved.class);
        assertThat(result.replyOfType(VolumeReplica.Result.Done.class).reply()).isEqualTo(Empty.INSTANCE);
    }

    @Test
    void rmdirCommitsDirectoryRemoved() {
        initialize();
        done(new MkDir(root, "d", 0755));

        var result = execute(new RmDir(root, "d"));

        assertThat(result.event()).isInstanceOf(VolumeEvent.DirectoryRemoved.class);
    }

    @Test
    void renameCommitsRenamed() {
        initialize();
        file("a");

        var result = execute(new Rename(root, "a", root, "b"));

        assertThat(result.eventOfType(VolumeEvent.Renamed.class).toName()).isEqualTo("b");
        assertThat(result.replyOfType(VolumeReplica.Result.Done.class).reply()).isEqualTo(Empty.INSTANCE);
    }

    @Test
    void setAttrCommitsAttributesSet() {
        initialize();
        Fid file = file("a");

        var result = execute(new SetAttr(file, 0600, null, null));

        assertThat(result.event()).isInstanceOf(VolumeEvent.AttributesSet.class);
        assertThat(((Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply()).mode()).isEqualTo(0600);
    }

    @Test
    void commitStoreCommitsContentStoredAndAnswersTheNewAttributes() {
        initialize();
        Fid file = file("a");
        UUID blob = UUID.randomUUID();

        var result = replica.<VolumeReplica.Result>runCommand(
                replyTo -> new VolumeReplica.CommitStore(file, blob, 42, "client-1", 7, replyTo));

        assertThat(result.eventOfType(VolumeEvent.ContentStored.class).blobId()).isEqualTo(blob);
        assertThat(((Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply()).size()).isEqualTo(42);
    }

    @Test
    void aRefusedMutationAnswersItsStatusAndMessageAndCommitsNothing() {
        initialize();

        var result = execute(new Remove(root, "missing"));

        VolumeReplica.Result.Rejected rejected = result.replyOfType(VolumeReplica.Result.Rejected.class);
        assertThat(rejected.status()).isEqualTo(Status.NOT_FOUND);
        assertThat(rejected.message()).isEqualTo("no entry 'missing' in directory " + root);
        assertThat(result.hasNoEvents()).isTrue();
    }

    @Test
    void aRequestTheReplicaDoesNotHandleIsBadRequest() {
        initialize();

        var result = execute(new Ping(1));

        assertThat(result.replyOfType(VolumeReplica.Result.Rejected.class).status()).isEqualTo(Status.BAD_REQUEST);
    }

    // ---- reads -------------------------------------------------------------------------------

    @Test
    void readsAreAnsweredWithoutCommittingAnything() {
        initialize();
        Fid file = file("a");

        var attr = execute(new GetAttr(file));
        var walk = execute(new Walk(root, List.of("a")));
        var listing = execute(new ReadDir(root, null, 10, true));

        assertThat(attr.hasNoEvents() && walk.hasNoEvents() && listing.hasNoEvents()).isTrue();
        assertThat(((WalkReply) walk.replyOfType(VolumeReplica.Result.Done.class).reply()).attr().fid())
                .isEqualTo(file);
        assertThat(((ReadDirReply) listing.replyOfType(VolumeReplica.Result.Done.class).reply()).entries())
                .hasSize(1);
    }

    @Test
    void prepareStoreOfAFileAnswersItsAttributes() {
        initialize();
        Fid file = file("a");

        var result = replica.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.PrepareStore(file, replyTo));

        assertThat(((Attr) result.replyOfType(VolumeReplica.Result.Done.class).reply()).fid()).isEqualTo(file);
    }

    @Test
    void prepareStoreOfADirectoryIsIsADirectory() {
        initialize();

        var result = replica.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.PrepareStore(root, replyTo));

        assertThat(result.replyOfType(VolumeReplica.Result.Rejected.class).status()).isEqualTo(Status.IS_A_DIRECTORY);
    }

    @Test
    void openForFetchAnswersTheBlobAndHowMuchOfItToRead() {
        initialize();
        Fid file = file("a");
        UUID blob = UUID.randomUUID();
        replica.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.CommitStore(file, blob, 100, "c", 2, replyTo));
        done(new SetAttr(file, null, 60L, null));
        done(new SetAttr(file, null, 500L, null));

        var target = replica.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.OpenForFetch(file, replyTo))
                .replyOfType(VolumeReplica.Result.FetchTarget.class);

        assertThat(target.blobId()).isEqualTo(blob);
        assertThat(target.blobLength()).isEqualTo(60);
        assertThat(target.attr().size()).isEqualTo(500);
    }

    @Test
    void openForFetchOfANeverStoredFileHasNoBlob() {
        initialize();
        Fid file = file("a");

        var target = replica.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.OpenForFetch(file, replyTo))
                .replyOfType(VolumeReplica.Result.FetchTarget.class);

        assertThat(target.blobId()).isNull();
        assertThat(target.attr().size()).isZero();
    }

    @Test
    void getStatsReportsTheVolumesUsage() {
        initialize();
        Fid file = file("a");
        done(new MkDir(root, "d", 0755));
        done(new Symlink(root, "l", "a"));
        replica.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.CommitStore(file, UUID.randomUUID(), 10, "c", 2, replyTo));

        var stats = replica.<VolumeReplica.Result>runCommand(VolumeReplica.GetStats::new)
                .replyOfType(VolumeReplica.Result.Stats.class);

        assertThat(stats).usingRecursiveComparison().ignoringFields("self.node").isEqualTo(
                new VolumeReplica.Result.Stats(volumeId, "vol-" + volumeId, 1234, 1, 2, 1, 10, List.of(5L),
                        new ReplicaSummary(0, volumeId + ".0", null, true, List.of(5L), 0), null));
    }

    // ---- recovery ----------------------------------------------------------------------------

    @Test
    void aRestartedReplicaRecoversItsStateFromTheEvents() {
        initialize();
        Fid file = file("a");
        done(new MkDir(root, "d", 0755));
        done(new Rename(root, "a", ((Attr) done(new GetAttr(root))).fid(), "b"));
        VolumeSnapshot before = replica.getState().toSnapshot();

        replica.restart();

        assertThat(replica.getState().toSnapshot()).isEqualTo(before);
        assertThat(((Attr) done(new GetAttr(file))).fid()).isEqualTo(file);
    }

    @Test
    void aRestartedReplicaDoesNotReuseFids() {
        initialize();
        Fid first = file("a");
        done(new Remove(root, "a"));

        replica.restart();
        Fid second = file("b");

        assertThat(second.vnode()).isGreaterThan(first.vnode());
        assertThat(second.unique()).isGreaterThan(first.unique());
    }

    @Test
    void theSnapshotIsAnImmutableCopyAndRestoresTheStateOnItsOwn() {
        EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> snapshotting =
                replica(new VolumeSettings(ActorTestSupport.quietSettings().blobDeleteDelay(),
                        ActorTestSupport.quietSettings().sweepInterval(),
                        ActorTestSupport.quietSettings().idleBlobAge(), 4, 2));
        String persistenceId = "volume-" + VolumeReplica.entityId(volumeId, 0);
        snapshotting.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.Initialize(volumeId, "snap", 1, replyTo));
        for (String name : List.of("a", "b", "c")) {
            snapshotting.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.Execute(new Create(root, name, 0644, true), "c", name.charAt(0),
                    replyTo));
        }
        VolumeSnapshot before = snapshotting.getState().toSnapshot();

        VolumeSnapshot stored = snapshotting.snapshotTestKit().orElseThrow()
                .expectNextPersistedClass(persistenceId, RecentRequests.Snapshot.class).volume();
        // without the events, recovery has only the snapshot to go on
        snapshotting.persistenceTestKit().clearByIdPreservingSeqNumbers(persistenceId);
        snapshotting.restart();

        assertThat(stored).isEqualTo(before);
        assertThat(snapshotting.getState().toSnapshot()).isEqualTo(before);
    }
}

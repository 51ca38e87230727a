package dev.strand.actors.volume;

import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Request;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that lost its connection resends its requests with the same (client id, request id): the replica
 * answers them as it answered the first attempt and applies nothing twice, also after a restart.
 */
class RetriedMutationTest {

    private static final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private static final AtomicLong volumeIds = new AtomicLong(9000);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private final long volumeId = volumeIds.incrementAndGet();
    private final Fid root = Fid.root(volumeId);
    private final EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> replica =
            replica(ActorTestSupport.quietSettings());

    private EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> replica(VolumeSettings settings) {
        EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> kit =
                EventSourcedBehaviorTestKit.create(testKit.system(),
                        ReplicaBehavior.createClaimed(VolumeReplica.entityId(volumeId, 0), new InMemoryChunkStore(), settings, ActorTestSupport.fence()),
                        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
        kit.<VolumeReplica.Result>runCommand(replyTo -> new VolumeReplica.Initialize(volumeId, "retry-" + volumeId, 1, replyTo));
        return kit;
    }

    private VolumeReplica.Result send(EventSourcedBehaviorTestKit<VolumeReplica.Command, VolumeEvent, Volume> kit,
                                      Request request, long requestId) {
        return kit.<VolumeReplica.Result>runCommand(
                replyTo -> new VolumeReplica.Execute(request, "client-r", requestId, replyTo)).reply();
    }

    private VolumeReplica.Result send(Request request, long requestId) {
        return send(replica, request, requestId);
    }

    private static Attr attrOf(VolumeReplica.Result result) {
        assertThat(result).isInstanceOf(VolumeReplica.Result.Done.class);
        return (Attr) ((VolumeReplica.Result.Done) result).reply();
    }

    @Test
    void aRetriedCreateAnswersTheCreatedFileInsteadOfExists() {
        Attr first = attrOf(send(new Create(root, "f", 0644, true), 1));

        var again = replica.<VolumeReplica.Result>runCommand(replyTo ->
                new VolumeReplica.Execute(new Create(root, "f", 0644, true), "client-r", 1, replyTo));

        assertThat(again.hasNoEvents()).isTrue();
        assertThat(attrOf(again.reply()).fid()).isEqualTo(first.fid());
    }

    @Test
    void theSameRequestIdOfAnotherClientIsANewRequest() {
        send(new Create(root, "f", 0644, true), 1);

        var other = replica.<VolumeReplica.Result>runCommand(replyTo ->
                new VolumeReplica.Execute(new Create(root, "f", 0644, true), "client-other", 1, replyTo));

        assertThat(((VolumeReplica.Result.Rejected) other.reply()).status()).isEqualTo(Status.EXISTS);
    }

    @Test
    void aRetriedRenameThatSucceededSucceedsAgain() {
        Fid file = attrOf(send(new Create(root, "a", 0644, true), 1)).fid();
        assertThat(((VolumeReplica.Result.Done) send(new Rename(root, "a", root, "b"), 2)).reply()).isEqualTo(Empty.INSTANCE);

        assertThat(((VolumeReplica.Result.Done) send(new Rename(root, "a", root, "b"), 2)).reply()).isEqualTo(Empty.INSTANCE);
        assertThat(replica.getState().root().entry("b").vnode()).isEqualTo(file.vnode());
    }

    @Test
    void aRetriedRemoveAnswersSuccess() {
        send(new Create(root, "f", 0644, true), 1);
        send(new Remove(root, "f"), 2);

        assertThat(send(new Remove(root, "f"), 2)).isEqualTo(new VolumeReplica.Result.Done(Empty.INSTANCE));
    }

    @Test
    void aRetriedRefusalIsEvaluatedAgainSinceTheRefusalChangedNothing() {
        VolumeReplica.Result first = send(new Remove(root, "missing"), 1);
        send(new Create(root, "missing", 0644, true), 2);

        assertThat(((VolumeReplica.Result.Rejected) first).status()).isEqualTo(Status.NOT_FOUND);
        assertThat(send(new Remove(root, "missing"), 1)).isEqualTo(new VolumeReplica.Result.Done(Empty.INSTANCE, true));
    }

    @Test
    void aRetryThatAsksForSomethingElseIsRefusedAndNotAnsweredWithTheFirstRequestsResult() {
        send(new Create(root, "a", 0644, true), 1);

        VolumeReplica.Result reused = send(new Create(root, "b", 0644, true), 1);

        assertThat(((VolumeReplica.Result.Rejected) reused).status()).isEqualTo(Status.REQUEST_ID_REUSED);
        assertThat(replica.getState().root().entry("b")).as("nothing applied").isNull();
    }

    @Test
    void theReusedIdIsRecognisedAfterARestartToo() {
        send(new Create(root, "a", 0644, true), 1);
        replica.restart();

        VolumeReplica.Result reused = send(new Create(root, "b", 0644, true), 1);

        assertThat(((VolumeReplica.Result.Rejected) reused).status()).isEqualTo(Status.REQUEST_ID_REUSED);
    }

    @Test
    void aRetriedStoreCommitDoesNotBumpTheDataVersionTwice() {
        Fid file = attrOf(send(new Create(root, "f", 0644, true), 1)).fid();
        UUID blob = UUID.randomUUID();
        Attr stored = attrOf(replica.<VolumeReplica.Result>runCommand(
                replyTo -> new VolumeReplica.CommitStore(file, blob, 10, "client-r", 2, replyTo)).reply());

        // a retried STORE uploads its bytes again, into a new blob, and commits with the same ids
        var again = replica.<VolumeReplica.Result>runCommand(
                replyTo -> new VolumeReplica.CommitStore(file, UUID.randomUUID(), 10, "client-r", 2, replyTo));

        assertThat(again.hasNoEvents()).isTrue();
        assertThat(attrOf(again.reply()).dataVersion()).isEqualTo(stored.dataVersion());
        assertThat(replica.getState().resolve(file).blobId()).isEqualTo(blob);
    }

    @Test
    void readsAreNotRemembered() {
        Fid file = attrOf(send(new Create(root, "f", 0644, true), 1)).fid();
        long before = attrOf(send(new GetAttr(file), 2)).mtimeMillis();
        send(new Rename(root, "f", root, "g"), 3);

        assertThat(attrOf(send(new GetAttr(file), 2)).mtimeMillis()).isGreaterThanOrEqualTo(before);
        assertThat(send(new Rename(root, "f", root, "g"), 3)).isEqualTo(new VolumeReplica.Result.Done(Empty.INSTANCE));
    }

    @Test
    void aRestartedReplicaStillRecognisesRetriesFromItsEvents() {
        Fid file = attrOf(send(new Create(root, "f", 0644, true), 1)).fid();
        send(new Rename(root, "f", root, "g"), 2);

        replica.restart();

        assertThat(attrOf(send(new Create(root, "f", 0644, true), 1)).fid()).isEqualTo(file);
        assertThat(send(new Rename(root, "f", root, "g"), 2)).isEqualTo(new VolumeReplica.Result.Done(Empty.INSTANCE));
        assertThat(replica.getState().root().entry("f")).isNull();
    }

    @Test
    void retriesAreRecognisedAfterASnapshotToo() {
        var snapshotting = replica(new VolumeSettings(ActorTestSupport.quietSettings().blobDeleteDelay(),
                ActorTestSupport.quietSettings().sweepInterval(), ActorTestSupport.quietSettings().idleBlobAge(), 3, 1));
        String persistenceId = "volume-" + VolumeReplica.entityId(volumeId, 0);
        Fid a = attrOf(send(snapshotting, new Create(root, "a", 0644, true), 1)).fid();
        send(snapshotting, new Create(root, "b", 0644, true), 2); // the third event: snapshot
        // only the snapshot is left to recover from
        snapshotting.persistenceTestKit().clearByIdPreservingSeqNumbers(persistenceId);
        snapshotting.restart();

        assertThat(attrOf(send(snapshotting, new Create(root, "a", 0644, true), 1)).fid()).isEqualTo(a);
    }

    @Test
    void aRetryOfACreateWhoseFileWasRemovedSinceAnswersStale() {
        send(new Create(root, "f", 0644, true), 1);
        send(new Remove(root, "f"), 2);

        VolumeReplica.Result again = send(new Create(root, "f", 0644, true), 1);

        assertThat(((VolumeReplica.Result.Rejected) again).status()).isEqualTo(Status.STALE);
    }
}

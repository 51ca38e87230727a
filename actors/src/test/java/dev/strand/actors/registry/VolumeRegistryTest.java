package dev.strand.actors.registry;

import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Empty;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry on the in-memory journal, with real replicas (or a probe standing in for a failing one). */
class VolumeRegistryTest {

    // one actor system per test: the registry's persistence id is fixed
    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private final InMemoryChunkStore chunks = new InMemoryChunkStore();
    private final Map<String, ActorRef<VolumeReplica.Command>> replicas = new ConcurrentHashMap<>();
    private final TestProbe<VolumeRegistry.Result> client = testKit.createTestProbe();

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private Function<String, RecipientRef<VolumeReplica.Command>> realReplicas() {
        return entityId -> replicas.computeIfAbsent(entityId, id -> testKit.spawn(
                VolumeReplica.create(id, chunks, ActorTestSupport.quietSettings(), ActorTestSupport.fence()), "replica-" + id));
    }

    private ActorRef<VolumeRegistry.Command> registry(Function<String, RecipientRef<VolumeReplica.Command>> replicas) {
        return testKit.spawn(VolumeRegistry.create(replicas, Duration.ofSeconds(3), ActorTestSupport.fence()));
    }

    private VolumeRegistry.Result create(ActorRef<VolumeRegistry.Command> registry, String name, int replicas) {
        registry.tell(new VolumeRegistry.CreateVolume(name, replicas, client.getRef()));
        return client.receiveMessage();
    }

    private VolumeRegistry.VolumeRecord created(ActorRef<VolumeRegistry.Command> registry, String name) {
        return ((VolumeRegistry.Result.Volume) create(registry, name, 1)).volume();
    }

    private VolumeRegistry.Result lookup(ActorRef<VolumeRegistry.Command> registry, String name) {
        registry.tell(new VolumeRegistry.Lookup(name, client.getRef()));
        return client.receiveMessage();
    }

    private List<VolumeRegistry.VolumeRecord> list(ActorRef<VolumeRegistry.Command> registry) {
        registry.tell(new VolumeRegistry.ListVolumes(client.getRef()));
        return client.expectMessageClass(VolumeRegistry.Result.Volumes.class).volumes();
    }

    /** Plays the replica's part: answers the Initialize the registry sent, accepting or refusing it. */
    private void answerInitialize(TestProbe<VolumeReplica.Command> replica, boolean accept) {
        VolumeReplica.Initialize init = replica.expectMessageClass(VolumeReplica.Initialize.class);
        init.replyTo().tell(accept
                ? new VolumeReplica.Result.Done(Empty.INSTANCE)
                : new VolumeReplica.Result.Rejected(Status.INTERNAL, "disk on fire"));
    }

    @Test
    void theRegistryStateSurvivesSerialisationAsASnapshot() {
        RegistryState state = RegistryState.empty()
                .apply(new RegistryEvent.VolumeCreated(new VolumeRegistry.VolumeRecord(1, "a", 1, 5, List.of("1.0"))))
                .apply(new RegistryEvent.ReplicasInitialized(1));

        RegistryState copy = new SerializationTestKit(testKit.system()).verifySerialization(state, true);

        assertThat(copy.volume("a").replicaEntityIds()).containsExactly("1.0");
        assertThat(copy.isInitialized(1)).isTrue();
        assertThat(copy.nextId()).isEqualTo(2);
    }

    @Test
    void createVolumeRegistersItAndInitialisesItsReplica() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        VolumeRegistry.VolumeRecord volume = created(registry, "home");

        assertThat(volume.id()).isEqualTo(1);
        assertThat(volume.name()).isEqualTo("home");
        assertThat(volume.replicas()).isEqualTo(1);
        assertThat(volume.replicaEntityIds()).containsExactly("1.0");
        TestProbe<VolumeReplica.Result> stats = testKit.createTestProbe();
        replicas.get("1.0").tell(new VolumeReplica.GetStats(stats.getRef()));
        assertThat(stats.expectMessageClass(VolumeReplica.Result.Stats.class).volumeName()).isEqualTo("home");
    }

    @Test
    void volumeIdsCountUpFromOne() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        assertThat(created(registry, "a").id()).isEqualTo(1);
        assertThat(created(registry, "b").id()).isEqualTo(2);
    }

    @Test
    void aTakenNameIsVolumeExists() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        created(registry, "home");

        VolumeRegistry.Result result = create(registry, "home", 1);

        assertThat(result).isEqualTo(new VolumeRegistry.Result.Rejected(Status.VOLUME_EXISTS,
                "volume 'home' already exists"));
    }

    private VolumeRegistry.Result createAs(ActorRef<VolumeRegistry.Command> registry, String name, String clientId,
                                           long requestId) {
        registry.tell(new VolumeRegistry.CreateVolume(name, 1, client.getRef(), null, clientId, requestId));
        return client.receiveMessage();
    }

    @Test
    void aRetriedCreateAnswersTheSameSuccess() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        VolumeRegistry.Result first = createAs(registry, "home", "client-a", 17);

        VolumeRegistry.Result retry = createAs(registry, "home", "client-a", 17);

        assertThat(first).isInstanceOf(VolumeRegistry.Result.Volume.class);
        assertThat(retry).isEqualTo(first);
        assertThat(list(registry)).hasSize(1);
    }

    @Test
    void anotherRequestForATakenNameIsVolumeExistsEvenFromTheSameClient() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        createAs(registry, "home", "client-a", 17);

        assertThat(((VolumeRegistry.Result.Rejected) createAs(registry, "home", "client-a", 18)).status())
                .isEqualTo(Status.VOLUME_EXISTS);
        assertThat(((VolumeRegistry.Result.Rejected) createAs(registry, "home", "client-b", 17)).status())
                .isEqualTo(Status.VOLUME_EXISTS);
        assertThat(((VolumeRegistry.Result.Rejected) create(registry, "home", 1)).status())
                .isEqualTo(Status.VOLUME_EXISTS);
    }

    @Test
    void aRetryIsRecognisedAfterTheRegistryRecovers() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        VolumeRegistry.VolumeRecord volume = ((VolumeRegistry.Result.Volume) createAs(registry, "home", "client-a", 17))
                .volume();
        testKit.stop(registry);

        ActorRef<VolumeRegistry.Command> recovered = registry(realReplicas());

        assertThat(createAs(recovered, "home", "client-a", 17)).isEqualTo(new VolumeRegistry.Result.Volume(volume));
        assertThat(((VolumeRegistry.Result.Rejected) createAs(recovered, "home", "client-b", 17)).status())
                .isEqualTo(Status.VOLUME_EXISTS);
    }

    @Test
    void aRetryOfACreateWhoseReplicaFailedInitialisesItAgain() {
        TestProbe<VolumeReplica.Command> replica = testKit.createTestProbe();
        ActorRef<VolumeRegistry.Command> registry = registry(id -> replica.getRef());
        registry.tell(new VolumeRegistry.CreateVolume("home", 1, client.getRef(), null, "client-a", 17L));
        answerInitialize(replica, false);
        client.expectMessageClass(VolumeRegistry.Result.Rejected.class);

        registry.tell(new VolumeRegistry.CreateVolume("home", 1, client.getRef(), null, "client-a", 17L));
        answerInitialize(replica, true);

        assertThat(client.expectMessageClass(VolumeRegistry.Result.Volume.class).volume().name()).isEqualTo("home");
    }

    @Test
    void theCreatingRequestSurvivesSerialisationOfTheSnapshot() {
        RegistryState state = RegistryState.empty().apply(new RegistryEvent.VolumeCreated(
                new VolumeRegistry.VolumeRecord(1, "a", 1, 5, List.of("1.0")), "client-a", 17L));

        RegistryState copy = new SerializationTestKit(testKit.system()).verifySerialization(state, true);

        assertThat(copy.wasCreatedBy("a", new RegistryState.CreateRequest("client-a", 17))).isTrue();
        assertThat(copy.wasCreatedBy("a", new RegistryState.CreateRequest("client-a", 18))).isFalse();
    }

    @Test
    void aBadNameIsBadVolumeName() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        VolumeRegistry.Result result = create(registry, "no/slashes", 1);

        assertThat(((VolumeRegistry.Result.Rejected) result).status()).isEqualTo(Status.BAD_VOLUME_NAME);
        assertThat(list(registry)).isEmpty();
    }

    @Test
    void aVolumeOfThreeReplicasRecordsItsStorageGroupAndInitialisesEveryReplica() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        VolumeRegistry.VolumeRecord volume = ((VolumeRegistry.Result.Volume) create(registry, "home", 3)).volume();

        assertThat(volume.replicas()).isEqualTo(3);
        assertThat(volume.replicaEntityIds()).containsExactly(volume.id() + ".0", volume.id() + ".1", volume.id() + ".2");
        assertThat(volume.requiredReplicas()).isEqualTo(1);
        TestProbe<VolumeReplica.Result> stats = testKit.createTestProbe();
        for (String entityId : volume.replicaEntityIds()) {
            replicas.get(entityId).tell(new VolumeReplica.GetStats(stats.getRef()));
            VolumeReplica.Result.Stats s = stats.expectMessageClass(VolumeReplica.Result.Stats.class);
            assertThat(s.versionVector()).as("replica %s has a slot per replica", entityId).hasSize(3);
            assertThat(s.self().entityId()).isEqualTo(entityId);
        }
        registry.tell(new VolumeRegistry.LookupId(volume.id(), client.getRef()));
        assertThat(client.expectMessageClass(VolumeRegistry.Result.Volume.class).volume()).isEqualTo(volume);
    }

    @Test
    void minReplicasMajorityIsRecordedAndNeedsMoreThanHalfTheGroup() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        registry.tell(new VolumeRegistry.CreateVolume("home", 5, client.getRef(), MinReplicas.MAJORITY));
        VolumeRegistry.VolumeRecord volume = client.expectMessageClass(VolumeRegistry.Result.Volume.class).volume();

        assertThat(volume.minReplicasSetting()).isEqualTo("majority");
        assertThat(volume.requiredReplicas()).isEqualTo(3);
    }

    @Test
    void aStorageGroupOutsideOneToFiveOrAnUnknownMinReplicasIsRefused() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        for (int replicas : new int[]{0, 6}) {
            VolumeRegistry.Result.Rejected result = (VolumeRegistry.Result.Rejected) create(registry, "home", replicas);
            assertThat(result.status()).isEqualTo(Status.INVALID_ARGUMENT);
            assertThat(result.message()).contains("1 to 5 replicas");
        }
        registry.tell(new VolumeRegistry.CreateVolume("home", 3, client.getRef(), "all"));
        assertThat(client.expectMessageClass(VolumeRegistry.Result.Rejected.class).status())
                .isEqualTo(Status.INVALID_ARGUMENT);
        assertThat(list(registry)).isEmpty();
    }

    @Test
    void aVolumeRecordWithoutMinReplicasMeansOneAndSurvivesSerialisation() {
        var old = new SerializationTestKit(testKit.system());
        RegistryEvent.VolumeCreated event = new RegistryEvent.VolumeCreated(
                new VolumeRegistry.VolumeRecord(1, "a", 1, 5, List.of("1.0")));
        RegistryEvent.VolumeCreated copy = old.verifySerialization(event, true);
        assertThat(copy.volume().minReplicasSetting()).isEqualTo("1");
        assertThat(copy.volume().requiredReplicas()).isEqualTo(1);
    }

    @Test
    void lookupAnswersTheVolumesRecord() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        VolumeRegistry.VolumeRecord volume = created(registry, "home");

        assertThat(lookup(registry, "home")).isEqualTo(new VolumeRegistry.Result.Volume(volume));
    }

    @Test
    void lookupOfAnUnknownNameIsNoSuchVolume() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());

        VolumeRegistry.Result result = lookup(registry, "nothing");

        assertThat(((VolumeRegistry.Result.Rejected) result).status()).isEqualTo(Status.NO_SUCH_VOLUME);
    }

    @Test
    void listVolumesAnswersEveryVolumeInNameOrder() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        created(registry, "zeta");
        created(registry, "alpha");
        created(registry, "mid");

        assertThat(list(registry)).extracting(VolumeRegistry.VolumeRecord::name).containsExactly("alpha", "mid", "zeta");
    }

    @Test
    void theRegistryRecoversItsVolumesAndKeepsCountingIds() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        created(registry, "a");
        testKit.stop(registry);

        ActorRef<VolumeRegistry.Command> recovered = registry(realReplicas());

        assertThat(list(recovered)).extracting(VolumeRegistry.VolumeRecord::name).containsExactly("a");
        assertThat(created(recovered, "b").id()).isEqualTo(2);
    }

    @Test
    void aReplicaThatFailsToInitialiseMakesCreateUnavailableButTheVolumeStaysRegistered() {
        TestProbe<VolumeReplica.Command> replica = testKit.createTestProbe();
        ActorRef<VolumeRegistry.Command> registry = registry(id -> replica.getRef());
        registry.tell(new VolumeRegistry.CreateVolume("home", 1, client.getRef()));

        answerInitialize(replica, false);

        VolumeRegistry.Result.Rejected result = client.expectMessageClass(VolumeRegistry.Result.Rejected.class);
        assertThat(result.status()).isEqualTo(Status.UNAVAILABLE);
        assertThat(result.message()).contains("'home'", "disk on fire");
        assertThat(list(registry)).extracting(VolumeRegistry.VolumeRecord::name).containsExactly("home");
    }

    @Test
    void lookupInitialisesAVolumeWhoseReplicaFailedBefore() {
        TestProbe<VolumeReplica.Command> replica = testKit.createTestProbe();
        ActorRef<VolumeRegistry.Command> registry = registry(id -> replica.getRef());
        registry.tell(new VolumeRegistry.CreateVolume("home", 1, client.getRef()));
        answerInitialize(replica, false);
        client.expectMessageClass(VolumeRegistry.Result.Rejected.class);

        registry.tell(new VolumeRegistry.Lookup("home", client.getRef()));
        answerInitialize(replica, true);

        assertThat(client.expectMessageClass(VolumeRegistry.Result.Volume.class).volume().name()).isEqualTo("home");
    }

    @Test
    void aRecoveringRegistryInitialisesVolumesWhoseReplicasNeverConfirmed() {
        TestProbe<VolumeReplica.Command> replica = testKit.createTestProbe();
        ActorRef<VolumeRegistry.Command> registry = registry(id -> replica.getRef());
        registry.tell(new VolumeRegistry.CreateVolume("home", 1, client.getRef()));
        answerInitialize(replica, false);
        client.expectMessageClass(VolumeRegistry.Result.Rejected.class);
        testKit.stop(registry);

        registry(id -> replica.getRef());

        assertThat(replica.expectMessageClass(VolumeReplica.Initialize.class).volumeName()).isEqualTo("home");
    }

    @Test
    void aConfirmedVolumeIsNotInitialisedAgainOnLookup() {
        TestProbe<VolumeReplica.Command> replica = testKit.createTestProbe();
        ActorRef<VolumeRegistry.Command> registry = registry(id -> replica.getRef());
        registry.tell(new VolumeRegistry.CreateVolume("home", 1, client.getRef()));
        answerInitialize(replica, true);
        client.expectMessageClass(VolumeRegistry.Result.Volume.class);

        // answered although the probe answers nothing: the registry did not wait for an Initialize
        assertThat(lookup(registry, "home")).isInstanceOf(VolumeRegistry.Result.Volume.class);
    }

    private VolumeRegistry.Result.OperationIdLease lease(ActorRef<VolumeRegistry.Command> registry) {
        registry.tell(new VolumeRegistry.LeaseOperationIds(client.getRef()));
        return client.expectMessageClass(VolumeRegistry.Result.OperationIdLease.class);
    }

    @Test
    void leasesOfOperationIdsNeverOverlapAlsoAfterTheRegistryRecovers() {
        ActorRef<VolumeRegistry.Command> registry = registry(realReplicas());
        VolumeRegistry.Result.OperationIdLease first = lease(registry);
        VolumeRegistry.Result.OperationIdLease second = lease(registry);
        testKit.stop(registry);

        VolumeRegistry.Result.OperationIdLease third = lease(registry(realReplicas()));

        assertThat(first.first()).as("above every wall-clock id older coordinators used")
                .isEqualTo(dev.strand.cop2.OperationIds.FIRST);
        assertThat(second.first()).isEqualTo(first.first() + first.count());
        assertThat(third.first()).as("continues after the leases it persisted").isEqualTo(second.first() + second.count());
    }
}

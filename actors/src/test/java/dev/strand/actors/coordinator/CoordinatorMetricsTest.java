package dev.strand.actors.coordinator;

import dev.strand.actors.registry.MinReplicas;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.ActorTestSupport;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.metrics.StrandMetrics;
import dev.strand.persistence.InMemoryChunkStore;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a volume's coordinator and its replicas record for /metrics: COP1 outcomes, COP2, replica states, journal. */
class CoordinatorMetricsTest {
    private static final long VOLUME_ID = 4242;

    private final ActorTestKit testKit = ActorTestKit.create(ActorTestSupport.inMemoryPersistence());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TestProbe<VolumeReplica.Result> client = testKit.createTestProbe();
    private ActorRef<VolumeReplica.Command> coordinator;
    private long requestId;

    @AfterEach
    void shutdown() {
        testKit.shutdownTestKit();
    }

    private void startGroupOfTwo() {
        StrandMetrics.get(testKit.system()).registry().add(meters);
        InMemoryChunkStore chunks = new InMemoryChunkStore(System::currentTimeMillis);
        Map<String, RecipientRef<VolumeReplica.Command>> refs = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            String entityId = VolumeReplica.entityId(VOLUME_ID, r);
            ActorRef<VolumeReplica.Command> replica = testKit.spawn(VolumeReplica.create(entityId, chunks,
                    ActorTestSupport.quietSettings(), ActorTestSupport.fence()));
            replica.tell(new VolumeReplica.Initialize(VOLUME_ID, "vol", 1, client.getRef(), 2));
            client.expectMessageClass(VolumeReplica.Result.Done.class);
            refs.put(entityId, replica);
            ids.add(entityId);
        }
        VolumeRegistry.VolumeRecord record = new VolumeRegistry.VolumeRecord(VOLUME_ID, "vol", 2, 1, ids,
                MinReplicas.normalize(MinReplicas.ONE));
        ActorRef<VolumeRegistry.Command> registry = testKit.spawn(Behaviors.receiveMessage(message -> {
            if (message instanceof VolumeRegistry.LookupId lookup) {
                lookup.replyTo().tell(new VolumeRegistry.Result.Volume(record));
            } else if (message instanceof VolumeRegistry.LeaseOperationIds lease) {
                lease.replyTo().tell(new VolumeRegistry.Result.OperationIdLease(dev.strand.cop2.OperationIds.FIRST, 1_000));
            }
            return Behaviors.same();
        }));
        coordinator = testKit.spawn(VolumeCoordinator.create(VOLUME_ID, refs::get, registry, chunks,
                new VolumeCoordinator.Settings(Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofHours(1),
                        Duration.ZERO)));
    }

    private VolumeReplica.Result create(String name) {
        coordinator.tell(new VolumeReplica.Execute(new Create(Fid.root(VOLUME_ID), name, 0644, true), "metrics-test",
                ++requestId, client.getRef()));
        return client.receiveMessage(Duration.ofSeconds(10));
    }

    private double counter(String name, String... tags) {
        var counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private double gauge(String name, String... tags) {
        return meters.get(name).tags(tags).gauge().value();
    }

    @Test
    void mutationsCountCop1OutcomesUpdateSetsAndJournalWritesAndTheReplicasShowAsCurrent() {
        startGroupOfTwo();
        assertThat(create("a")).isInstanceOf(VolumeReplica.Result.Done.class);
        assertThat(create("a")).as("exclusive create of an existing name").isInstanceOf(VolumeReplica.Result.Rejected.class);

        assertThat(counter("strand.cop1.operations", "outcome", "committed")).isEqualTo(1);
        assertThat(counter("strand.cop1.operations", "outcome", "refused")).isEqualTo(1);
        assertThat(counter("strand.cop2.update.sets")).as("both replicas committed 'a'").isEqualTo(1);
        assertThat(meters.get("strand.journal.persist").timer().count()).as("one write per replica").isEqualTo(2);
        assertThat(gauge("strand.cop2.pending")).as("each replica waits COP2 for 'a'").isEqualTo(2);
        assertThat(gauge("strand.replicas", "state", "current")).isEqualTo(2);

        testKit.stop(coordinator);
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("strand.replicas", "state", "current") == 0);
    }
}

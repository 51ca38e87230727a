package dev.strand.actors.volume;

import dev.strand.volume.ModelVolume;
import dev.strand.volume.Origin;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.VolumeEvent;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry window is part of the replica's snapshot, written with the server's serializer. */
class RecentRequestsSerializationTest {

    private static final long T0 = 1_000_000_000L;

    @Test
    void theSnapshotSurvivesSerialisation() {
        ModelVolume model = new ModelVolume();
        RecentRequests recent = new RecentRequests();
        recent.record(new VolumeEvent.FileCreated(new Origin("a", 1, "p", T0), model.root(), "f", model.root(), 0644,
                null, null));
        RecentRequests.Snapshot snapshot = recent.snapshot(model.volume.toSnapshot());

        ActorTestKit testKit = ActorTestKit.create();
        try {
            RecentRequests.Snapshot copy = new SerializationTestKit(testKit.system()).verifySerialization(snapshot, true);
            assertThat(copy).isEqualTo(snapshot);
        } finally {
            testKit.shutdownTestKit();
        }
    }
}

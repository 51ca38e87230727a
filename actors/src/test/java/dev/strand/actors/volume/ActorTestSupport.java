package dev.strand.actors.volume;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strand.actors.fencing.FencingSettings;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.persistence.InMemoryNodeLeases;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

import java.time.Duration;

/** Configuration and settings shared by the actor tests of the volume and registry packages. */
public final class ActorTestSupport {

    private ActorTestSupport() {}

    /** One node's lease for every replica of the tests that are not about fencing: taken once, trusted for a year. */
    private static final NodeLease FENCE = new NodeLease(new InMemoryNodeLeases(), "127.0.0.1:1#1",
            new FencingSettings(Duration.ofDays(365), Duration.ofDays(1), Duration.ofSeconds(1)), System::nanoTime,
            () -> true);

    static {
        FENCE.acquire().toCompletableFuture().join();
    }

    /** The in-memory lease of the one node the tests run (not renewed: it outlives the test run). */
    public static NodeLease fence() {
        return FENCE;
    }

    /** In-memory journal and snapshot store; the module's reference.conf (serialisation bindings) below. */
    public static Config inMemoryPersistence() {
        return EventSourcedBehaviorTestKit.config()
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load());
    }

    /** Settings whose timers never fire during a test unless a test asks for it. */
    public static VolumeSettings quietSettings() {
        return new VolumeSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1), 1000, 2);
    }
}

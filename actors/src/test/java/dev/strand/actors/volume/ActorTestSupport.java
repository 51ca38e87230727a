package dev.strand.actors.volume;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

import java.time.Duration;

/** Configuration and settings shared by the actor tests of the volume and registry packages. */
public final class ActorTestSupport {

    private ActorTestSupport() {}

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

package dev.strand.actors.compat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The actor system the golden files are written and read with: the server's serialisation setup (every
 * reference.conf on the classpath, the actors module's bindings among them) on a cluster provider, as in
 * production, so that actor references inside messages take their cross-node form. It joins no cluster.
 */
final class CompatActorSystem {

    /** The server's actor system name (StrandServer), so that sample references look like real ones. */
    static final String NAME = "strand";

    private CompatActorSystem() {}

    static ActorSystem<Void> start() {
        Config config = ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.load());
        return ActorSystem.create(Behaviors.empty(), NAME, config);
    }

    static Serialization serialization(ActorSystem<?> system) {
        return SerializationExtension.get(system.classicSystem());
    }

    static void stop(ActorSystem<?> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    }
}

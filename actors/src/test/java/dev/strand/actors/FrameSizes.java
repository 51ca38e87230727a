package dev.strand.actors;

import dev.strand.volume.FrameBudget;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Serialises messages as remoting does (the jackson-cbor serializer bound in reference.conf, a cluster provider
 * so that actor references take their cross-node form) and checks that they fit one frame.
 */
public final class FrameSizes implements AutoCloseable {

    /** What Artery adds around a message (recipient and sender paths, manifest, headers), generously. */
    public static final int ENVELOPE_ALLOWANCE = 4096;

    private final ActorSystem<Void> system;
    private final Serialization serialization;
    public final FrameBudget budget;

    public FrameSizes() {
        Config config = ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.load());
        system = ActorSystem.create(Behaviors.empty(), "strand", config);
        serialization = SerializationExtension.get(system.classicSystem());
        budget = FrameBudget.of(system.settings().config());
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** The serialised size of {@code message}. */
    public int bytes(Object message) {
        try {
            return serialization.serialize(message).get().length;
        } catch (Exception e) {
            throw new AssertionError("cannot serialise " + message.getClass().getName(), e);
        }
    }

    /** Asserts that {@code message} goes between nodes in one frame; returns its size. */
    public int assertFits(Object message) {
        int bytes = bytes(message);
        assertThat(bytes + ENVELOPE_ALLOWANCE).as("%s of %d bytes fits a frame of %d", message.getClass().getSimpleName(),
                bytes, budget.frameSize()).isLessThanOrEqualTo(budget.frameSize());
        return bytes;
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}

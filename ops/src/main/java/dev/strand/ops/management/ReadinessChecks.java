package dev.strand.ops.management;

import org.apache.pekko.actor.ActorSystem;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The readiness checks /ready runs besides pekko-management's own cluster-membership check (this node is an Up
 * member); configured in application.conf under pekko.management.health-checks.readiness-checks, each named
 * so that a failing /ready says which one failed. pekko-management creates them with the actor system.
 */
public final class ReadinessChecks {
    private ReadinessChecks() {}

    /** The volume registry answered once: the journal is readable (on a fresh Cassandra, its tables exist). */
    public static final class VolumeRegistry implements Supplier<CompletionStage<Boolean>> {
        private final NodeManagement node;

        public VolumeRegistry(ActorSystem system) {
            this.node = NodeManagement.get(system);
        }

        @Override
        public CompletionStage<Boolean> get() {
            return CompletableFuture.completedFuture(node.isRegistryReady());
        }
    }

    /** Cassandra answers a query now. */
    public static final class Cassandra implements Supplier<CompletionStage<Boolean>> {
        private final NodeManagement node;

        public Cassandra(ActorSystem system) {
            this.node = NodeManagement.get(system);
        }

        @Override
        public CompletionStage<Boolean> get() {
            try {
                return node.pingCassandra().handle((ok, failure) -> failure == null);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(false);
            }
        }
    }

    /** The client port listens. */
    public static final class ClientPort implements Supplier<CompletionStage<Boolean>> {
        private final NodeManagement node;

        public ClientPort(ActorSystem system) {
            this.node = NodeManagement.get(system);
        }

        @Override
        public CompletionStage<Boolean> get() {
            return CompletableFuture.completedFuture(node.isServing());
        }
    }
}

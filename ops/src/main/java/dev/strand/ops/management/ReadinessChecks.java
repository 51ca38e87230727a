package dev.strand.ops.management;

import org.apache.pekko.actor.ActorSystem;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Strand's own readiness checks, run by /ready besides the libraries' (cluster membership; Cassandra answering
 * the journal's session); all are configured in application.conf under
 * pekko.management.health-checks.readiness-checks. pekko-management creates them with the actor system.
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

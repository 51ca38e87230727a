package dev.strand.persistence;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fencing of the writers of one journal: which server node may write which persistence id.
 *
 * <p>A <em>node lease</em> is one row per server process (node id {@code host:port#uid}, the Pekko member's unique
 * address) holding the generation of its current acquisition, taken and renewed by compare-and-set and gone
 * {@code ttl} after its last renewal unless renewed again. The holder trusts its lease only until (when it sent the
 * renewal) + duration - a safety margin, by its own monotonic clock, so the row outlives the holder's trust.
 *
 * <p>An <em>owner</em> row names, per persistence id, the (node, generation) whose replica incarnation may write it.
 * {@link #claim} takes it over only from an owner whose node lease (that generation) is gone: two incarnations never
 * both hold a claim their lease still covers. Every change is a compare-and-set (Cassandra: a lightweight
 * transaction); implementations must be linearizable.
 */
public interface NodeLeases {

    /** A node's acquisition: the node ({@code host:port#uid}) and the generation it took. */
    record Owner(String nodeId, UUID generation) {
        public Owner {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(generation, "generation");
        }

        @Override
        public String toString() {
            return nodeId + "/" + generation;
        }
    }

    /** Creates {@code nodeId}'s lease row with {@code generation} if it has none: whether this one holds it now. */
    CompletionStage<Boolean> acquire(String nodeId, UUID generation, Duration ttl);

    /** Extends the row by {@code ttl} if it still holds {@code generation}: false if gone or another generation. */
    CompletionStage<Boolean> renew(String nodeId, UUID generation, Duration ttl);

    /** Deletes the row if it holds {@code generation} (the holder leaving): whether it did. */
    CompletionStage<Boolean> release(String nodeId, UUID generation);

    /**
     * Deletes {@code nodeId}'s lease row whatever its generation, so that its replicas may start elsewhere at once
     * instead of after the lease's time to live. Only for a process known to be dead (a probe saw its port refuse
     * connections): a live holder keeps writing until its own clock ends its trust, and a new incarnation would
     * then write beside it. Whether a row was deleted.
     */
    CompletionStage<Boolean> releaseDead(String nodeId);

    /** The generation {@code nodeId}'s lease row holds, empty if it has none (expired or released). */
    CompletionStage<Optional<UUID>> generation(String nodeId);

    /** Makes {@code claimant} the owner of {@code persistenceId} if it has none: empty if so, else the owner. */
    CompletionStage<Optional<Owner>> insertOwner(String persistenceId, Owner claimant);

    /** Replaces owner {@code expected} by {@code claimant}: whether {@code expected} was still the owner. */
    CompletionStage<Boolean> replaceOwner(String persistenceId, Owner expected, Owner claimant);

    /** Deletes the owner row if {@code owner} holds it (a replica stopping): whether it did. */
    CompletionStage<Boolean> releaseOwner(String persistenceId, Owner owner);

    /**
     * Makes {@code claimant} the owner of {@code persistenceId} unless another owner's node lease (its generation)
     * still lives: empty if {@code claimant} owns it now, else the live owner to wait for.
     */
    default CompletionStage<Optional<Owner>> claim(String persistenceId, Owner claimant) {
        return insertOwner(persistenceId, claimant).thenCompose(current -> {
            if (current.isEmpty() || current.get().equals(claimant)) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Owner owner = current.get();
            return generation(owner.nodeId()).thenCompose(live -> {
                if (live.isPresent() && live.get().equals(owner.generation())) {
                    return CompletableFuture.completedFuture(Optional.of(owner));
                }
                return replaceOwner(persistenceId, owner, claimant)
                        .thenApply(replaced -> replaced ? Optional.<Owner>empty() : Optional.of(owner));
            });
        });
    }
}

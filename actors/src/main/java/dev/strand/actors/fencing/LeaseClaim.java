package dev.strand.actors.fencing;

import dev.strand.persistence.NodeLeases.Owner;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An event-sourced entity incarnation's first step (a volume replica, the volume registry): it claims its
 * persistence id for this node's lease generation ({@link dev.strand.persistence.NodeLeases#claim}) before it
 * recovers its journal, so that it reads everything an earlier incarnation wrote and no earlier incarnation writes
 * after it. While another node's live lease owns the id (a paused node's old incarnation), or this node's lease is
 * not trusted, it tries again every renew-interval; messages wait in a bounded stash (beyond it each is handed to
 * the entity's refusal, which answers as an entity that is not available). Then it becomes the entity, with every
 * waiting message. The entity must fence its own commands with {@link NodeLease#trusts} of the claim's generation.
 */
public final class LeaseClaim {

    /** Messages held while claiming; each is bounded by the frame size, so this bounds the memory held. */
    public static final int STASH_CAPACITY = 100;

    private record Claimed(Owner owner) implements NoSerializationVerificationNeeded {}

    private record NotClaimed(Optional<Owner> heldBy, Throwable failure) implements NoSerializationVerificationNeeded {}

    private record Retry() implements NoSerializationVerificationNeeded {}

    // Object, not the entity's command type: Pekko's own messages to the entity (EventSourcedBehaviorTestKit's
    // GetState) wait too
    private final ActorContext<Object> context;
    private final StashBuffer<Object> stash;
    private final String persistenceId;
    private final NodeLease lease;
    private final Consumer<Object> refuse;
    private final Function<Owner, ? extends Behavior<?>> entity;
    private Owner waitingFor;

    private LeaseClaim(ActorContext<Object> context, StashBuffer<Object> stash, String persistenceId, NodeLease lease,
                       Consumer<Object> refuse, Function<Owner, ? extends Behavior<?>> entity) {
        this.context = context;
        this.stash = stash;
        this.persistenceId = persistenceId;
        this.lease = lease;
        this.refuse = refuse;
        this.entity = entity;
    }

    /**
     * Claims {@code persistenceId}, then becomes {@code entity} of the claim (which it must fence with).
     * {@code refuse}: answers a message that arrives while the stash is full (it is dropped after).
     */
    public static <C> Behavior<C> create(String persistenceId, NodeLease lease, Consumer<Object> refuse,
                                         Function<Owner, Behavior<C>> entity) {
        Behavior<Object> claiming = Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.setup(context -> {
            LeaseClaim claim = new LeaseClaim(context, stash, persistenceId, lease, refuse, entity);
            claim.tryClaim();
            return claim.claiming();
        }));
        return claiming.narrow();
    }

    private void tryClaim() {
        Owner self = lease.current();
        if (self == null) {
            context.scheduleOnce(lease.retryInterval(), context.getSelf(), new Retry());
            return;
        }
        context.pipeToSelf(lease.store().claim(persistenceId, self), (heldBy, failure) ->
                failure == null && heldBy.isEmpty() ? new Claimed(self) : new NotClaimed(
                        heldBy == null ? Optional.empty() : heldBy, failure));
    }

    @SuppressWarnings("unchecked") // a behavior of the entity's commands handles what it is sent: its messages
    private Behavior<Object> claiming() {
        return Behaviors.receive(Object.class)
                .onMessage(Claimed.class, claimed -> {
                    if (waitingFor != null) {
                        context.getLog().info("{} claimed after {}'s lease ended", persistenceId, waitingFor);
                    }
                    return stash.unstashAll((Behavior<Object>) entity.apply(claimed.owner()));
                })
                .onMessage(NotClaimed.class, this::onNotClaimed)
                .onMessage(Retry.class, retry -> {
                    tryClaim();
                    return Behaviors.same();
                })
                .onAnyMessage(this::hold)
                .build();
    }

    private Behavior<Object> onNotClaimed(NotClaimed not) {
        if (not.failure() != null) {
            context.getLog().warn("{} could not be claimed: {}", persistenceId, not.failure().toString());
        } else if (not.heldBy().isPresent() && !not.heldBy().get().equals(waitingFor)) {
            waitingFor = not.heldBy().get();
            context.getLog().info("{} waits for the lease of {}, its owner, to end", persistenceId, waitingFor);
        }
        context.scheduleOnce(lease.retryInterval(), context.getSelf(), new Retry());
        return Behaviors.same();
    }

    private Behavior<Object> hold(Object message) {
        if (!stash.isFull()) {
            stash.stash(message);
        } else {
            refuse.accept(message);
        }
        return Behaviors.same();
    }
}

package dev.strand.actors.volume;

import dev.strand.actors.fencing.NodeLease;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.ExpectsAnswer;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.persistence.NodeLeases.Owner;
import dev.strand.protocol.Status;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

import java.util.Optional;
import java.util.function.Function;

/**
 * A replica incarnation's first step: it claims its persistence id for this node's lease generation
 * ({@link dev.strand.persistence.NodeLeases#claim}) before it recovers its journal, so that it reads everything an
 * earlier incarnation wrote and no earlier incarnation writes after it. While another node's live lease owns the
 * id (a paused node's old incarnation), or this node's lease is not trusted, it tries again every renew-interval;
 * commands wait in a bounded stash (beyond it they are refused UNAVAILABLE, as a replica that does not answer).
 * Then it becomes the replica, with every waiting command.
 */
final class ReplicaClaim {

    /** Commands held while claiming; each is bounded by the frame size, so this bounds the memory held. */
    static final int STASH_CAPACITY = 100;

    private record Claimed(Owner owner) implements VolumeReplica.Internal {}

    private record NotClaimed(Optional<Owner> heldBy, Throwable failure) implements VolumeReplica.Internal {}

    private record Retry() implements VolumeReplica.Internal {}

    // Object, not Command: Pekko's own messages to the replica (EventSourcedBehaviorTestKit's GetState) wait too
    private final ActorContext<Object> context;
    private final StashBuffer<Object> stash;
    private final String persistenceId;
    private final NodeLease lease;
    private final Function<Owner, Behavior<Command>> replica;
    private Owner waitingFor;

    private ReplicaClaim(ActorContext<Object> context, StashBuffer<Object> stash, String persistenceId,
                         NodeLease lease, Function<Owner, Behavior<Command>> replica) {
        this.context = context;
        this.stash = stash;
        this.persistenceId = persistenceId;
        this.lease = lease;
        this.replica = replica;
    }

    /** Claims {@code persistenceId}, then becomes {@code replica} of the claim (which it must fence with). */
    static Behavior<Command> create(String persistenceId, NodeLease lease, Function<Owner, Behavior<Command>> replica) {
        Behavior<Object> claiming = Behaviors.withStash(STASH_CAPACITY, stash -> Behaviors.setup(context -> {
            ReplicaClaim claim = new ReplicaClaim(context, stash, persistenceId, lease, replica);
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

    @SuppressWarnings("unchecked") // a behavior of Command handles what it is sent: the replica's messages
    private Behavior<Object> claiming() {
        return Behaviors.receive(Object.class)
                .onMessage(Claimed.class, claimed -> {
                    if (waitingFor != null) {
                        context.getLog().info("{} claimed after {}'s lease ended", persistenceId, waitingFor);
                    }
                    return stash.unstashAll((Behavior<Object>) (Behavior<?>) replica.apply(claimed.owner()));
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

    private Behavior<Object> hold(Object command) {
        if (!stash.isFull()) {
            stash.stash(command);
        } else if (command instanceof ExpectsAnswer asking && asking.replyTo() != null) {
            asking.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, persistenceId
                    + " is not available yet: it waits for an earlier incarnation's lease to end"));
        }
        return Behaviors.same();
    }
}

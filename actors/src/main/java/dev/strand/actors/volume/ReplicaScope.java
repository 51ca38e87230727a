package dev.strand.actors.volume;

import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.FrameBudget;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.metrics.StrandMetrics;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * What every command handler of one {@link VolumeReplica} shares: who the replica is, its services and
 * settings, and the answers every handler gives the same way. Holds none of the volume's state.
 */
final class ReplicaScope {

    final ActorContext<Command> context;
    final TimerScheduler<Command> timers;
    final String entityId;
    final long volumeId;
    final int replicaIndex;
    final ChunkStore chunks;
    final VolumeSettings settings;
    final StrandMetrics metrics;
    /** How large the answers to other nodes may be. */
    final FrameBudget frames;
    /** The replica's {@code Effect()}. */
    final EffectFactories<VolumeEvent, Volume> effects;

    ReplicaScope(ActorContext<Command> context, TimerScheduler<Command> timers, String entityId, ChunkStore chunks,
                 VolumeSettings settings, EffectFactories<VolumeEvent, Volume> effects) {
        this.context = context;
        this.timers = timers;
        this.entityId = entityId;
        this.chunks = chunks;
        this.settings = settings;
        this.effects = effects;
        this.metrics = StrandMetrics.get(context.getSystem());
        this.frames = FrameBudget.of(context.getSystem().settings().config());
        int dot = entityId.indexOf('.');
        try {
            this.volumeId = Long.parseLong(entityId.substring(0, dot));
            this.replicaIndex = Integer.parseInt(entityId.substring(dot + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("volume replica entity id '" + entityId
                    + "' is not <volumeId>.<replicaIndex>", e);
        }
    }

    /** Where this replica runs (the actor system's address; the cluster node once there are several). */
    String node() {
        return context.getSystem().address().hostPort();
    }

    static void reply(ActorRef<Result> replyTo, Result result) {
        if (replyTo != null) {
            replyTo.tell(result);
        }
    }

    Effect<VolumeEvent, Volume> noVolume(ActorRef<Result> replyTo) {
        replyTo.tell(new Result.Rejected(Status.NO_SUCH_VOLUME, "volume " + volumeId + " does not exist here"));
        return effects.none();
    }

    Effect<VolumeEvent, Volume> reject(ActorRef<Result> replyTo, StrandException e) {
        replyTo.tell(new Result.Rejected(e.status(), e.getMessage()));
        return effects.none();
    }

    Effect<VolumeEvent, Volume> internalError(ActorRef<Result> replyTo, Object what, RuntimeException e) {
        context.getLog().error("Volume {} failed on {}", entityId, what, e);
        replyTo.tell(new Result.Rejected(Status.INTERNAL, "internal error in volume " + volumeId + ": " + e));
        return effects.none();
    }
}

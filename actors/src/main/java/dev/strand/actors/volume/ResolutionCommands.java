package dev.strand.actors.volume;

import dev.strand.actors.volume.VolumeReplica.ApplyResolution;
import dev.strand.actors.volume.VolumeReplica.ReadResolutionImages;
import dev.strand.actors.volume.VolumeReplica.ReadResolutionLog;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.StepApplier;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.protocol.Status;
import dev.strand.volume.ConflictTable;
import dev.strand.volume.ResolutionLog;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.strand.actors.volume.ReplicaScope.reply;

/**
 * RESOLUTION, a participant's side: it reports its input (its resolution log, then its images of the vnodes every
 * replica's log names) and performs the steps the plan gives it. An answer that would not fit one remoting frame is
 * never sent: the replica answers UNAVAILABLE with its size instead, and the resolution stays undone (the replica
 * stays diverged) rather than time out on a dropped message.
 */
final class ResolutionCommands {

    private final ReplicaScope scope;
    private final Serialization serialization;

    ResolutionCommands(ReplicaScope scope) {
        this.scope = scope;
        this.serialization = SerializationExtension.get(Adapter.toClassic(scope.context.getSystem()));
    }

    Effect<VolumeEvent, Volume> onReadLog(Volume volume, ReadResolutionLog command) {
        ResolutionLog log = volume.resolutionLog();
        answerIfFits(command.replyTo(), new Result.ResolutionLogRead(log.entries(), log.overflowed(),
                volume.nextVnodeNumber(), volume.nextUniquifier(), volume.versionVector()), log.size() + " log entries");
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadImages(Volume volume, ReadResolutionImages command) {
        var images = VnodeImages.collect(volume, command.vnodes());
        answerIfFits(command.replyTo(), new Result.ResolutionImages(images), images.size() + " vnode images");
        return scope.effects.none();
    }

    /**
     * The steps' events, the conflicts marked ({@link VolumeEvent.ConflictsMarked}), then {@link VolumeEvent.CaughtUp} with the group's volume vector and fid counters (which
     * empties the resolution log and the pending-COP2 table: every replica now holds every logged operation, and the
     * stamps already set the final versions), in ONE atomic write: a replica either performed its whole part of the
     * resolution or none of it.
     */
    Effect<VolumeEvent, Volume> onApply(Volume volume, ApplyResolution command) {
        List<VolumeEvent> events;
        try {
            if (command.volumeVector() == null || command.volumeVector().size() != volume.replicas()) {
                throw new IllegalArgumentException("a resolution must end with a volume vector of " + volume.replicas()
                        + " slots");
            }
            if (volume.conflicts().size() + command.conflicts().size() > ConflictTable.MAX_CONFLICTS) {
                throw new IllegalArgumentException("it holds " + volume.conflicts().size() + " conflicts; "
                        + command.conflicts().size() + " more would pass the bound of " + ConflictTable.MAX_CONFLICTS);
            }
            events = new ArrayList<>(StepApplier.decide(volume, scope.replicaIndex, command.steps()));
        } catch (RuntimeException refused) { // the state is not the one reported: nothing is performed
            reply(command.replyTo(), new Result.Rejected(Status.CHANGED, "replica " + scope.entityId
                    + " cannot perform its resolution steps: " + refused.getMessage()));
            return scope.effects.none();
        }
        if (!command.conflicts().isEmpty()) { // what could not be merged stays as it is here, and answers CONFLICT
            events.add(new VolumeEvent.ConflictsMarked(command.conflicts()));
        }
        events.add(new VolumeEvent.CaughtUp(scope.replicaIndex, command.volumeVector(), command.nextVnode(),
                command.nextUnique()));
        int steps = command.steps().size();
        scope.context.getLog().info("Replica {} performs {} resolution steps, marks {} conflicts; volume vector {} -> {}",
                scope.entityId, steps, command.conflicts().size(), volume.versionVector(), command.volumeVector());
        return scope.effects.persist(events).thenRun(after -> reply(command.replyTo(), new Result.Installed(steps)));
    }

    /** Sends {@code answer} if its serialized form fits the frame's page budget; otherwise says how large it is. */
    private void answerIfFits(ActorRef<Result> replyTo, Result answer, String what) {
        int bytes;
        try {
            bytes = serialization.serialize(answer).get().length;
        } catch (RuntimeException e) {
            reply(replyTo, new Result.Rejected(Status.INTERNAL, "replica " + scope.entityId
                    + " could not serialize its resolution input: " + e.getMessage()));
            return;
        }
        if (bytes > scope.frames.pageBytes()) {
            reply(replyTo, new Result.Rejected(Status.UNAVAILABLE, "replica " + scope.entityId + "'s resolution input ("
                    + what + ", " + bytes + " bytes) does not fit one message of " + scope.frames.pageBytes() + " bytes"));
            return;
        }
        reply(replyTo, answer);
    }
}

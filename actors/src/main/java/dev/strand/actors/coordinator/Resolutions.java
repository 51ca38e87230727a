package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.conflictrepair.resolution.ResolutionCoordinator;
import dev.strand.cop2.OperationPipeline;
import dev.strand.replication.StorageGroup;
import dev.strand.volume.FrameBudget;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;

/**
 * RESOLUTION, the volume coordinator's side: the glue around the {@link ResolutionCoordinator}, which runs the
 * protocol (read the logs and images, plan or compare fully, perform, confirm) with the replicas as its participants
 * ({@link ReplicaParticipants}). A diverged replica's resolution holds mutations ({@link MutationHold}: what is in
 * flight finishes, every replica applies the update sets it is owed), then spawns a resolution coordinator as a child
 * and watches it. On its outcome, or its death without one, the pause is released and the group's states are set:
 * replicas that performed their part are current, the others behind (they catch up from them: their vector dominates
 * and they hold every logged operation); a resolution that changed nothing leaves the target diverged, and catch-up's
 * retry, with its backoff, tries it again.
 */
final class Resolutions {

    /** The resolution coordinator {@code child} stopped (after its outcome, or without one). */
    record Stopped(ActorRef<ResolutionCoordinator.Command> child) implements NoSerializationVerificationNeeded {}

    /** The longest a phase may take, in replica timeouts: a phase asks each replica a page at a time. */
    static final int PHASE_TIMEOUTS = 12;

    private final ActorContext<Object> context;
    private final long volumeId;
    private final StorageGroup group;
    private final OperationPipeline<?, ?> pipeline;
    /** The pause a resolution holds from its start to its end. */
    private final MutationHold hold;
    private final ReplicaParticipants participants;
    private final ResolutionCoordinator.Settings settings;
    /** A replica's state changed (metrics); or it is now behind and must catch up. */
    private final IntConsumer stateChanged;
    private final IntConsumer catchUp;

    /** The diverged replica being resolved, or -1. */
    private int running = -1;
    /** The running resolution's id and coordinator (null until the pause holds). */
    private long resolution;
    private ActorRef<ResolutionCoordinator.Command> child;

    Resolutions(ActorContext<Object> context, long volumeId, List<? extends RecipientRef<Command>> replicas,
                StorageGroup group, OperationPipeline<?, ?> pipeline, MutationHold hold, Duration replicaTimeout,
                IntConsumer stateChanged, IntConsumer catchUp) {
        this.context = context;
        this.volumeId = volumeId;
        this.group = group;
        this.pipeline = pipeline;
        this.hold = hold;
        FrameBudget frames = FrameBudget.of(context.getSystem().settings().config());
        this.participants = new ReplicaParticipants(replicas, pipeline.committed(), replicaTimeout,
                context.getSystem().scheduler(), frames,
                SerializationExtension.get(Adapter.toClassic(context.getSystem())));
        int round = context.getSystem().settings().config().getInt("strand.coordinator.comparison-round");
        // a round's numbers travel in one request: never more than a page of them
        this.settings = new ResolutionCoordinator.Settings(replicaTimeout.multipliedBy(PHASE_TIMEOUTS),
                round > 0 ? Math.min(round, frames.numbersPerPage()) : frames.numbersPerPage());
        this.stateChanged = stateChanged;
        this.catchUp = catchUp;
    }

    boolean running() {
        return running >= 0;
    }

    /** Resolves diverged replica {@code target}, unless a resolution runs or another pause holds mutations. */
    boolean start(int target) {
        if (running >= 0 || !hold.hold(MutationHold.Holder.RESOLUTION, unacknowledged -> spawn())) {
            return false;
        }
        running = target;
        context.getLog().info("Replica {} of volume {} diverged: resolving it with the others (mutations paused)",
                target, volumeId);
        return true;
    }

    /** Quiet now: the resolution coordinator takes it from here. */
    private void spawn() {
        resolution = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        child = context.spawnAnonymous(ResolutionCoordinator.create(volumeId, resolution, participants, settings,
                context.getSelf().narrow()));
        context.watchWith(child, new Stopped(child));
    }

    void onOutcome(ResolutionCoordinator.Outcome outcome) {
        if (running < 0 || outcome.resolution() != resolution) {
            return; // a resolution that ended already
        }
        child = null;
        if (outcome instanceof ResolutionCoordinator.Failed failed) {
            finish(failed.reason());
        } else {
            resolved((ResolutionCoordinator.Resolved) outcome);
        }
    }

    /** Its coordinator stopped: without an outcome, nothing is known to have changed (the retry looks again). */
    void onStopped(Stopped stopped) {
        if (running >= 0 && stopped.child().equals(child)) {
            child = null;
            finish("the resolution coordinator stopped before it reported an outcome");
        }
    }

    private void resolved(ResolutionCoordinator.Resolved resolved) {
        int target = running;
        List<Integer> done = resolved.performed();
        for (int i = 0; i < group.size(); i++) {
            if (done.contains(i)) {
                group.markCurrent(i);
                pipeline.dropUnsent(i);
            } else { // untouched or unknown: a resolved replica holds everything it held
                group.markDiverged(i, false);
                group.markBehind(i);
                catchUp.accept(i);
            }
            stateChanged.accept(i);
        }
        context.getLog().info("Volume {} resolved (replica {} had diverged): replicas {} performed their steps{}{}",
                volumeId, target, done, done.size() == group.size() ? "; every replica is current"
                        : "; the others catch up from them", resolved.conflicts() == 0 ? ""
                        : "; " + resolved.conflicts() + " conflicts marked, to repair");
        running = -1;
        hold.release();
    }

    /** Ends a resolution that changed nothing: the target stays diverged, with {@code why}; mutations resume. */
    private void finish(String why) {
        int target = running;
        running = -1;
        group.divergedBecause(target, why);
        stateChanged.accept(target);
        context.getLog().info("Replica {} of volume {} stays diverged: {}", target, volumeId, why);
        hold.release();
    }
}

package dev.strand.actors.volume;

import dev.strand.actors.volume.VolumeReplica.ApplyResolution;
import dev.strand.actors.volume.VolumeReplica.ReadResolutionImages;
import dev.strand.actors.volume.VolumeReplica.ReadResolutionLog;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.actors.volume.VolumeReplica.StageResolution;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.conflictrepair.StepApplier;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.protocol.Status;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.ConflictTable;
import dev.strand.volume.ResolutionLog;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

import static dev.strand.actors.volume.ReplicaScope.reply;

/**
 * RESOLUTION, a participant's side: it reports its input (its resolution log, then its images of the vnodes every
 * replica's log names) and performs the steps the plan gives it. An answer that would not fit one remoting frame is
 * never sent: the replica answers UNAVAILABLE with its size instead, and the resolution stays undone (the replica
 * stays diverged) rather than time out on a dropped message.
 */
final class ResolutionCommands {

    /**
     * Most bytes of steps and conflicts a replica holds for one resolution: all of them are persisted in one atomic
     * write, one Cassandra mutation (at most half a commit-log segment: 16 MiB with Cassandra's default segments).
     */
    static final int MAX_STAGED_BYTES = 8 * 1024 * 1024;

    private final ReplicaScope scope;
    private final Serialization serialization;

    /** A resolution's steps and conflicts that came before its ApplyResolution. */
    private final StagedParts<PlanStep, ConflictRecord> staged = new StagedParts<>(MAX_STAGED_BYTES);

    ResolutionCommands(ReplicaScope scope) {
        this.scope = scope;
        this.serialization = SerializationExtension.get(Adapter.toClassic(scope.context.getSystem()));
    }

    Effect<VolumeEvent, Volume> onReadLog(Volume volume, ReadResolutionLog command) {
        ResolutionLog log = volume.resolutionLog();
        MeasuredPages.Page<ResolutionLog.Entry> page = fitting(after(log.entries(), command.skip()).iterator(),
                entries -> new Result.ResolutionLogRead(entries, log.overflowed(), volume.nextVnodeNumber(),
                        volume.nextUniquifier(), volume.versionVector(), true));
        answerIfFits(command.replyTo(), new Result.ResolutionLogRead(page.items(), log.overflowed(),
                volume.nextVnodeNumber(), volume.nextUniquifier(), volume.versionVector(), page.more()), page,
                page.items().size() + " log entries");
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onReadImages(Volume volume, ReadResolutionImages command) {
        // a directory of thousands of names is larger than a message: it comes in pieces, joined by the reader;
        // only this page's pieces are made (paging through them stays linear in the images)
        MeasuredPages.Page<VolumeSnapshot.VnodeRecord> page = fitting(VnodeImages.piecesFrom(volume,
                command.vnodes(), scope.frames.pageBytes() / 2, Math.max(0, command.skip())),
                images -> new Result.ResolutionImages(images, true));
        answerIfFits(command.replyTo(), new Result.ResolutionImages(page.items(), page.more()), page,
                page.items().size() + " vnode images");
        return scope.effects.none();
    }

    private static <T> List<T> after(List<T> items, int skip) {
        return items.subList(Math.min(Math.max(0, skip), items.size()), items.size());
    }

    /** The leading {@code items} whose answer fits the page budget, at least one ({@link MeasuredPages#first}). */
    private <T> MeasuredPages.Page<T> fitting(Iterator<T> items, Function<List<T>, Result> answer) {
        return MeasuredPages.first(items, answer, this::size, scope.frames.pageBytes(), 1);
    }

    private int size(Object message) {
        return serialization.serialize(message).get().length;
    }

    /**
     * The steps' events, the conflicts marked ({@link VolumeEvent.ConflictsMarked}), then {@link VolumeEvent.CaughtUp} with the group's volume vector and fid counters (which
     * empties the resolution log and the pending-COP2 table: every replica now holds every logged operation, and the
     * stamps already set the final versions), in ONE atomic write: a replica either performed its whole part of the
     * resolution or none of it. Without a volume vector it is a round of a full comparison: its steps and conflicts
     * only, in one write; the vector, the log and the overflow mark stay until the last round.
     */
    Effect<VolumeEvent, Volume> onStage(Volume volume, StageResolution command) {
        long bytes = size(command);
        if (!staged.add(command.resolution(), bytes, command.steps(), command.conflicts())) {
            reply(command.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "replica " + scope.entityId
                    + ": the resolution's steps and conflicts pass " + MAX_STAGED_BYTES + " bytes, more than one"
                    + " atomic write may hold"));
            return scope.effects.none();
        }
        reply(command.replyTo(), new Result.Installed(staged.count()));
        return scope.effects.none();
    }

    Effect<VolumeEvent, Volume> onApply(Volume volume, ApplyResolution given) {
        ApplyResolution command = withStaged(given);
        List<VolumeEvent> events;
        try {
            if (command.volumeVector() != null && command.volumeVector().size() != volume.replicas()) {
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
        int steps = command.steps().size();
        if (command.volumeVector() == null) { // a round of a full comparison: its steps only, the log stays
            events.add(new VolumeEvent.ComparisonRoundPerformed(command.steps().size()));
            scope.context.getLog().info("Replica {} performs {} steps of a full comparison's round, marks {} conflicts",
                    scope.entityId, steps, command.conflicts().size());
            return scope.effects.persist(events).thenRun(after -> reply(command.replyTo(),
                    new Result.Installed(steps)));
        }
        events.add(new VolumeEvent.CaughtUp(scope.replicaIndex, command.volumeVector(), command.nextVnode(),
                command.nextUnique()));
        scope.context.getLog().info("Replica {} performs {} resolution steps, marks {} conflicts; volume vector {} -> {}",
                scope.entityId, steps, command.conflicts().size(), volume.versionVector(), command.volumeVector());
        return scope.effects.persist(events).thenRun(after -> reply(command.replyTo(), new Result.Installed(steps)));
    }

    /**
     * The group was seen current with one volume vector at a quiet moment: every replica holds every operation this
     * log names. Kept, the entries would tell a later resolution that a replica which caught up (and holds those
     * operations as the source's copies, its own log emptied) lacks them, and their replay there would be refused as
     * a conflict. Only a replica whose vector is still that one forgets them: one that moved on keeps its log.
     */
    Effect<VolumeEvent, Volume> onForgetSettledLog(Volume volume, VolumeReplica.ForgetSettledLog command) {
        if (!volume.versionVector().equals(command.volumeVector())) {
            reply(command.replyTo(), new Result.Rejected(Status.CHANGED, "replica " + scope.entityId + "'s volume "
                    + "vector is " + volume.versionVector() + ", not " + command.volumeVector() + ": its log stays"));
            return scope.effects.none();
        }
        List<Long> settled = volume.resolutionLog().entries().stream().map(ResolutionLog.Entry::opId).toList();
        if (settled.isEmpty()) {
            reply(command.replyTo(), new Result.Installed(0));
            return scope.effects.none();
        }
        List<VolumeEvent> events = new ArrayList<>();
        for (int from = 0; from < settled.size(); from += ResolutionLog.MAX_TRUNCATED_PER_EVENT) {
            events.add(new VolumeEvent.ResolutionLogTruncated(List.copyOf(settled.subList(from,
                    Math.min(settled.size(), from + ResolutionLog.MAX_TRUNCATED_PER_EVENT)))));
        }
        scope.context.getLog().info("Replica {} forgets {} logged operations: every replica holds them (volume vector"
                + " {})", scope.entityId, settled.size(), command.volumeVector());
        return scope.effects.persist(events).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(settled.size())));
    }

    /** {@code command} with the parts staged under its resolution id first (then dropped: they are used once). */
    private ApplyResolution withStaged(ApplyResolution command) {
        StagedParts.Taken<PlanStep, ConflictRecord> parts = staged.take(command.resolution());
        if (parts == null) {
            return command;
        }
        List<PlanStep> steps = new ArrayList<>(parts.first());
        steps.addAll(command.steps());
        steps = VnodeImages.joinInstallPieces(steps); // a large directory's Install was staged in pieces
        List<ConflictRecord> conflicts = new ArrayList<>(parts.second());
        conflicts.addAll(command.conflicts());
        return new ApplyResolution(steps, command.volumeVector(), command.nextVnode(), command.nextUnique(),
                command.replyTo(), conflicts, command.resolution());
    }

    /**
     * Sends {@code answer} if its serialized form fits the frame's page budget; otherwise says how large it is. Its
     * size is the one {@code page} measured when it was cut (with {@code more} set, as it is on every page but the
     * last, which is measured again).
     */
    private void answerIfFits(ActorRef<Result> replyTo, Result answer, MeasuredPages.Page<?> page, String what) {
        int bytes;
        try {
            bytes = page.more() ? page.bytes() : size(answer);
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

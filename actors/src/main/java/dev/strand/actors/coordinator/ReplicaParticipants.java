package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.MeasuredPages;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.Conflict;
import dev.strand.conflictrepair.LogEntry;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.conflictrepair.resolution.Participants;
import dev.strand.cop2.CommittedOperations;
import dev.strand.protocol.Status;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.FrameBudget;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.serialization.Serialization;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The group's replicas as a resolution's {@link Participants}: each ask is one of the replicas' own messages
 * ({@code ReadResolutionLog}, {@code Cop2}, {@code ReadResolutionImages}, {@code ListVersions},
 * {@code ApplyResolution} (after {@code StageResolution}s when too large for one message), {@code GetStats}), with
 * the replica timeout. Thread-safe: it asks, and reads {@code committed} only while mutations are held (nothing
 * records into it then).
 */
final class ReplicaParticipants implements Participants {

    private final List<? extends RecipientRef<Command>> replicas;
    private final CommittedOperations committed;
    private final Duration timeout;
    private final Scheduler scheduler;
    private final FrameBudget frames;
    private final Serialization serialization;

    ReplicaParticipants(List<? extends RecipientRef<Command>> replicas, CommittedOperations committed,
                        Duration timeout, Scheduler scheduler, FrameBudget frames, Serialization serialization) {
        this.replicas = replicas;
        this.committed = committed;
        this.timeout = timeout;
        this.scheduler = scheduler;
        this.frames = frames;
        this.serialization = serialization;
    }

    @Override
    public int count() {
        return replicas.size();
    }

    private CompletionStage<Result> ask(int replica, Function<ActorRef<Result>, Command> command) {
        return AskPattern.ask(replicas.get(replica), command::apply, timeout, scheduler);
    }

    /** The answer as {@code type}, or the refusal it was. */
    private static <T extends Result> T expect(Result answer, Class<T> type) {
        if (type.isInstance(answer)) {
            return type.cast(answer);
        }
        throw answer instanceof Result.Rejected r ? new Refused(r.message(), r.status() == Status.CHANGED)
                : new Refused("answered " + answer, false);
    }

    @Override
    public CompletionStage<LogPage> readLog(int replica, int skip) {
        return ask(replica, r -> new VolumeReplica.ReadResolutionLog(r, skip)).thenApply(answer -> {
            Result.ResolutionLogRead log = expect(answer, Result.ResolutionLogRead.class);
            return new LogPage(log.entries().stream().map(e -> new LogEntry(e.opId(), e.event())).toList(),
                    log.overflowed(), log.volumeVector(), log.nextVnode(), log.nextUnique(), log.more());
        });
    }

    @Override
    public CompletionStage<Boolean> settle(int replica, List<Long> loggedOpIds) {
        List<Cop2Update> updates = Cop2Settling.owed(committed, replica, replicas.size(), loggedOpIds);
        if (updates.isEmpty()) { // bounded otherwise: a log's entries fit one message, so do their update sets
            return CompletableFuture.completedFuture(false);
        }
        return ask(replica, r -> new VolumeReplica.Cop2(updates, r)).handle((answer, failure) -> true);
    }

    @Override
    public CompletionStage<ImagesPage> readImages(int replica, List<Long> vnodes, int skip) {
        return ask(replica, r -> new VolumeReplica.ReadResolutionImages(vnodes, r, skip)).thenApply(answer -> {
            Result.ResolutionImages images = expect(answer, Result.ResolutionImages.class);
            return new ImagesPage(images.images(), images.more());
        });
    }

    @Override
    public CompletionStage<VersionsPage> listVersions(int replica, long after) {
        return ask(replica, r -> new VolumeReplica.ListVersions(after, dev.strand.volume.VnodeSync.SUMMARY_PAGE, r))
                .thenApply(answer -> {
                    Result.Versions page = expect(answer, Result.Versions.class);
                    return new VersionsPage(page.summaries(), page.last());
                });
    }

    @Override
    public CompletionStage<VersionVector> volumeVector(int replica) {
        return ask(replica, VolumeReplica.GetStats::new).thenApply(answer -> {
            List<VersionVector> vectors = GroupAsks.volumeVectors(List.of(answer));
            if (vectors.get(0) == null) {
                throw new Refused("no volume vector in " + answer, false);
            }
            return vectors.get(0);
        });
    }

    @Override
    public CompletionStage<Void> perform(int replica, Perform perform) {
        List<ConflictRecord> conflicts = perform.conflicts().stream().map(ReplicaParticipants::record).toList();
        Function<ActorRef<Result>, Command> whole = r -> new VolumeReplica.ApplyResolution(perform.steps(),
                perform.vector(), perform.nextVnode(), perform.nextUnique(), r, conflicts);
        // a large directory's Install goes in pieces (joined by the replica before its one write); the stages, each
        // measured whole, say whether one message can do
        List<PlanStep> steps = VnodeImages.installsInPieces(perform.steps(), frames.pageBytes() / 2);
        List<VolumeReplica.StageResolution> stages = stages(perform.resolution(), steps, conflicts);
        CompletionStage<Result> answer;
        if (stages.size() <= 1 && size(whole.apply(null)) <= frames.pageBytes()) { // the usual case: one message
            answer = ask(replica, whole);
        } else { // too large for one message: staged in pages, then performed in one write by an ApplyResolution
            answer = staged(replica, stages, 0,
                    r -> new VolumeReplica.ApplyResolution(List.of(), perform.vector(), perform.nextVnode(),
                            perform.nextUnique(), r, List.of(), perform.resolution()));
        }
        return answer.thenApply(result -> {
            expect(result, Result.Installed.class);
            return null;
        });
    }

    /** Sends {@code stages} from {@code next} on, one after the other, then {@code last}; stops at a refusal. */
    private CompletionStage<Result> staged(int replica, List<VolumeReplica.StageResolution> stages, int next,
                                           Function<ActorRef<Result>, Command> last) {
        if (next == stages.size()) {
            return ask(replica, last);
        }
        VolumeReplica.StageResolution stage = stages.get(next);
        return ask(replica, r -> new VolumeReplica.StageResolution(stage.resolution(), stage.steps(),
                stage.conflicts(), r)).thenCompose(answer -> answer instanceof Result.Installed
                ? staged(replica, stages, next + 1, last) : CompletableFuture.completedFuture(answer));
    }

    /**
     * The steps, then the conflicts, cut into stages that each fit one message ({@link MeasuredPages}: each stage is
     * measured whole; a step or a conflict is bounded by the names it carries, far below a page).
     */
    private List<VolumeReplica.StageResolution> stages(long id, List<PlanStep> steps, List<ConflictRecord> conflicts) {
        List<Object> items = new ArrayList<>(steps);
        items.addAll(conflicts);
        return MeasuredPages.all(items, page -> stage(id, page), this::size, frames.pageBytes()).stream()
                .map(page -> stage(id, page)).toList();
    }

    private static VolumeReplica.StageResolution stage(long id, List<Object> items) {
        List<PlanStep> steps = new ArrayList<>();
        List<ConflictRecord> conflicts = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof PlanStep step) {
                steps.add(step);
            } else {
                conflicts.add((ConflictRecord) item);
            }
        }
        return new VolumeReplica.StageResolution(id, steps, conflicts, null);
    }

    private int size(Object message) {
        return serialization.serialize(message).get().length;
    }

    /** A conflict as the replicas mark it. */
    static ConflictRecord record(Conflict c) {
        return new ConflictRecord(c.kind().name(), c.objects(), c.names().stream()
                .map(n -> new ConflictRecord.Name(n.dir(), n.name())).toList(), c.paths(), List.copyOf(c.replicas()),
                c.reason());
    }
}

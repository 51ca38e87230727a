package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.Conflict;
import dev.strand.conflictrepair.LogEntry;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.conflictrepair.ReplicaInput;
import dev.strand.conflictrepair.ResolutionPlan;
import dev.strand.conflictrepair.ResolutionPlanner;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.cop2.OperationPipeline;
import dev.strand.protocol.Status;
import dev.strand.replication.StorageGroup;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.ConflictTable;
import dev.strand.volume.FrameBudget;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * RESOLUTION, the coordinator's side: a replica found diverged is merged with the others by their resolution logs
 * ({@link ResolutionPlanner} decides). Mutations pause as for catch-up's last round (what is in flight finishes, every
 * replica applies the update sets it is owed); every replica reports its log, then its images of the vnodes the logs
 * name; the plan is made; each replica performs its steps in one atomic write, marks the plan's conflicts (objects
 * and names that could not be merged: each replica keeps its own version of them, and they answer CONFLICT until
 * {@code strand repair}) and adopts the group's new volume vector, and every replica is current. When the logs
 * cannot explain the difference (a log overflowed, a slot leads by more than its log holds, or every replica refused
 * the plan), the replicas are compared object by object instead ({@link FullComparisons}), still paused, and the
 * result is performed the same way.
 *
 * <p>Every replica of the group must answer: a log left out could hold operations the others lack. A participant
 * that fails while performing its steps leaves each replica either untouched or fully resolved (one atomic write
 * each): those that answered that they performed them become current, the others are marked behind and catch up from
 * them (their vector dominates, and they hold every logged operation). A resolution that cannot run resumes mutations
 * and is tried again by catch-up's retry, with its backoff.
 */
final class Resolutions {

    private final ActorContext<Object> context;
    private final long volumeId;
    private final List<? extends org.apache.pekko.actor.typed.RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final OperationPipeline<?, ?> pipeline;
    private final GroupAsks asks;
    private final FrameBudget frames;
    private final Serialization serialization;
    /** The pause a resolution holds from its start to its end. */
    private final MutationHold hold;
    /** A replica's state changed (metrics); or it is now behind and must catch up. */
    private final IntConsumer stateChanged;
    private final IntConsumer catchUp;

    /** The diverged replica being resolved, or -1. */
    private int running = -1;
    /** The running resolution fell back to a full comparison (it is not tried twice). */
    private boolean comparingFully;
    private long plannedNextVnode;
    private long plannedNextUnique;
    private final FullComparisons fullComparisons;

    Resolutions(ActorContext<Object> context, long volumeId,
                List<? extends org.apache.pekko.actor.typed.RecipientRef<Command>> replicas, StorageGroup group,
                OperationPipeline<?, ?> pipeline, GroupAsks asks, MutationHold hold, IntConsumer stateChanged,
                IntConsumer catchUp) {
        this.context = context;
        this.volumeId = volumeId;
        this.replicas = replicas;
        this.group = group;
        this.pipeline = pipeline;
        this.asks = asks;
        this.frames = FrameBudget.of(context.getSystem().settings().config());
        this.serialization = SerializationExtension.get(Adapter.toClassic(context.getSystem()));
        this.hold = hold;
        this.stateChanged = stateChanged;
        this.catchUp = catchUp;
        this.fullComparisons = new FullComparisons(context, volumeId, replicas.size(), asks, frames, this);
    }

    boolean running() {
        return running >= 0;
    }

    /** Resolves diverged replica {@code target}, unless a resolution runs or mutations are paused for a catch-up. */
    boolean start(int target) {
        // every replica applies the update sets it is owed first, so the logs and versions it reports include them
        if (running >= 0 || !hold.hold(MutationHold.Holder.RESOLUTION, unacknowledged -> readLogs(false))) {
            return false;
        }
        running = target;
        comparingFully = false;
        context.getLog().info("Replica {} of volume {} diverged: resolving it with the others (mutations paused)",
                target, volumeId);
        return true;
    }

    /**
     * Reads every replica's log. First time round, a replica whose log holds an operation this coordinator saw it
     * commit gets that operation's update set first (its COP2 was dropped when it fell behind), and the logs are read
     * again: otherwise the others, who learned that everyone applied it and dropped it from their logs, would look as
     * if they lacked it.
     */
    private void readLogs(boolean settled) {
        gatherPages(skip -> r -> new VolumeReplica.ReadResolutionLog(r, skip), answers -> {
            String missing = missing(answers, Result.ResolutionLogRead.class);
            if (missing != null) {
                finish(missing);
                return;
            }
            if (!settled && settle(answers)) {
                return;
            }
            List<List<LogEntry>> logs = new ArrayList<>();
            for (Result answer : answers) {
                logs.add(((Result.ResolutionLogRead) answer).entries().stream()
                        .map(e -> new LogEntry(e.opId(), e.event())).toList());
            }
            List<Long> named = List.copyOf(VnodeImages.named(logs));
            gatherPages(skip -> r -> new VolumeReplica.ReadResolutionImages(named, r, skip),
                    images -> plan(answers, logs, images));
        });
    }

    /**
     * Asks every replica for every page of a paged answer (a resolution's log or images; each page fits one message),
     * one replica's pages after another's; {@code then} runs in the coordinator with one answer per replica, its pages
     * joined (null where a page did not come; a refusal as it came). Mutations are paused, so pages do not shift.
     */
    void gatherPages(IntFunction<Function<org.apache.pekko.actor.typed.ActorRef<Result>, Command>> pageFrom,
                             Consumer<List<Result>> then) {
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            answers.add(pages(i, pageFrom, 0, null));
        }
        context.pipeToSelf(CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(answers.stream().map(a -> a.getNow(null)).toList(),
                        then));
    }

    /** Replica {@code replica}'s pages from item {@code skip} on, after {@code before} (null: none yet). */
    private CompletableFuture<Result> pages(int replica,
                                            IntFunction<Function<org.apache.pekko.actor.typed.ActorRef<Result>,
                                                    Command>> pageFrom, int skip, Result before) {
        return asks.ask(replica, pageFrom.apply(skip)).toCompletableFuture().thenCompose(page -> {
            Result joined;
            int items;
            boolean more;
            if (page instanceof Result.ResolutionLogRead log) {
                joined = before == null ? log : ((Result.ResolutionLogRead) before).followedBy(log);
                items = log.entries().size();
                more = log.more();
            } else if (page instanceof Result.ResolutionImages images) {
                joined = before == null ? images : ((Result.ResolutionImages) before).followedBy(images);
                items = images.images().size();
                more = images.more();
            } else {
                return CompletableFuture.completedFuture(page); // a refusal ends the read
            }
            return more && items > 0 ? pages(replica, pageFrom, skip + items, joined)
                    : CompletableFuture.completedFuture(joined);
        }).exceptionally(failure -> null);
    }

    /** Sends each replica the update sets this coordinator knows for its logged operations; false if there are none. */
    private boolean settle(List<Result> logs) {
        List<CompletableFuture<Result>> acks = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            List<Cop2Update> updates = new ArrayList<>();
            for (var entry : ((Result.ResolutionLogRead) logs.get(i)).entries()) {
                Integer members = pipeline.committed().updateSetOf(entry.opId());
                if (members != null && (members & (1 << i)) != 0) {
                    List<Integer> set = new ArrayList<>();
                    for (int slot = 0; slot < replicas.size(); slot++) {
                        if ((members & (1 << slot)) != 0) {
                            set.add(slot);
                        }
                    }
                    updates.add(new Cop2Update(entry.opId(), set));
                }
            }
            if (!updates.isEmpty()) { // bounded: a log's entries fit one message, so do their update sets
                acks.add(asks.askOrNull(i, r -> new VolumeReplica.Cop2(updates, r)));
            }
        }
        if (acks.isEmpty()) {
            return false;
        }
        context.pipeToSelf(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(List.of(), ignored -> readLogs(true)));
        return true;
    }

    private void plan(List<Result> logAnswers, List<List<LogEntry>> logs, List<Result> imageAnswers) {
        String missing = missing(imageAnswers, Result.ResolutionImages.class);
        if (missing != null) {
            finish(missing);
            return;
        }
        List<ReplicaInput> inputs = new ArrayList<>();
        VersionVector merged = null;
        long nextVnode = 0;
        long nextUnique = 0;
        for (int i = 0; i < replicas.size(); i++) {
            Result.ResolutionLogRead read = (Result.ResolutionLogRead) logAnswers.get(i);
            inputs.add(new ReplicaInput(i, logs.get(i), read.overflowed(),
                    ((Result.ResolutionImages) imageAnswers.get(i)).images()));
            merged = merged == null ? read.volumeVector() : merged.merge(read.volumeVector());
            nextVnode = Math.max(nextVnode, read.nextVnode());
            nextUnique = Math.max(nextUnique, read.nextUnique());
        }
        String unexplained = dev.strand.conflictrepair.LogCoverage.unexplained(
                logAnswers.stream().map(a -> ((Result.ResolutionLogRead) a).volumeVector()).toList(),
                logAnswers.stream().map(a -> ((Result.ResolutionLogRead) a).entries().size()).toList());
        VersionVector resolved = merged;
        for (int slot = 0; slot < replicas.size(); slot++) {
            resolved = resolved.increment(slot); // dominates every replica's vector before the resolution
        }
        if (unexplained != null) {
            compareFully(unexplained, resolved, nextVnode, nextUnique);
            return;
        }
        ResolutionPlan plan;
        try {
            plan = ResolutionPlanner.plan(volumeId, replicas.size(), inputs);
        } catch (RuntimeException e) {
            finish("the planner failed: " + e);
            return;
        }
        if (plan instanceof ResolutionPlan.NeedsFullComparison full) {
            compareFully(full.reason(), resolved, nextVnode, nextUnique);
            return;
        }
        ResolutionPlan.Planned planned = (ResolutionPlan.Planned) plan;
        if (planned.conflicts().size() > ConflictTable.MAX_CONFLICTS) { // marked, they would not fit the bound
            finish(planned.conflicts().size() + " conflicts (" + planned.conflicts().stream().limit(3)
                    .map(Resolutions::describe).collect(Collectors.joining(", ")) + "), more than "
                    + ConflictTable.MAX_CONFLICTS + " can be marked");
            return;
        }
        perform(planned, resolved, nextVnode, nextUnique);
    }

    private void compareFully(String why, VersionVector vector, long nextVnode, long nextUnique) {
        comparingFully = true;
        fullComparisons.run(why, vector, nextVnode, nextUnique);
    }

    /** Every replica performs its part of {@code plan} in one atomic write and adopts {@code vector}. */
    void perform(ResolutionPlan.Planned plan, VersionVector vector, long nextVnode, long nextUnique) {
        plannedNextVnode = nextVnode;
        plannedNextUnique = nextUnique;
        List<ConflictRecord> conflicts = plan.conflicts().stream().map(Resolutions::record).toList();
        long id = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            List<PlanStep> steps = plan.steps().getOrDefault(i, List.of());
            Function<org.apache.pekko.actor.typed.ActorRef<Result>, Command> whole =
                    r -> new VolumeReplica.ApplyResolution(steps, vector, nextVnode, nextUnique, r, conflicts);
            if (size(whole.apply(null)) <= frames.pageBytes()) { // the usual case: one message
                answers.add(asks.askOrNull(i, whole));
                continue;
            }
            // Too large for one message: staged in pages, then performed in one write by an ApplyResolution.
            List<VolumeReplica.StageResolution> stages = stages(id, steps, conflicts);
            answers.add(staged(i, stages, 0, r -> new VolumeReplica.ApplyResolution(List.of(), vector, nextVnode,
                    nextUnique, r, List.of(), id)));
        }
        context.pipeToSelf(CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(answers.stream().map(a -> a.getNow(null)).toList(),
                        performed -> confirm(performed, vector, conflicts.size())));
    }

    /** Sends {@code stages} from {@code next} on, one after the other, then {@code last}; stops at a refusal. */
    private CompletableFuture<Result> staged(int replica, List<VolumeReplica.StageResolution> stages, int next,
                                             Function<org.apache.pekko.actor.typed.ActorRef<Result>, Command> last) {
        if (next == stages.size()) {
            return asks.askOrNull(replica, last);
        }
        VolumeReplica.StageResolution stage = stages.get(next);
        return asks.askOrNull(replica, r -> new VolumeReplica.StageResolution(stage.resolution(), stage.steps(),
                stage.conflicts(), r)).thenCompose(answer -> answer instanceof Result.Installed
                ? staged(replica, stages, next + 1, last) : CompletableFuture.completedFuture(answer));
    }

    /**
     * The steps, then the conflicts, cut into stages that each fit one message. An item's cost is what it adds to a
     * stage of its own (a step or a conflict is bounded by the names it carries, far below a page).
     */
    private List<VolumeReplica.StageResolution> stages(long id, List<PlanStep> steps, List<ConflictRecord> conflicts) {
        int base = size(new VolumeReplica.StageResolution(id, List.of(), List.of(), null));
        List<VolumeReplica.StageResolution> stages = new ArrayList<>();
        List<PlanStep> pageSteps = new ArrayList<>();
        List<ConflictRecord> pageConflicts = new ArrayList<>();
        int left = frames.pageBytes() - base;
        for (Object item : concat(steps, conflicts)) {
            int cost = item instanceof PlanStep step
                    ? size(new VolumeReplica.StageResolution(id, List.of(step), List.of(), null)) - base
                    : size(new VolumeReplica.StageResolution(id, List.of(), List.of((ConflictRecord) item), null))
                    - base;
            if (cost > left && !(pageSteps.isEmpty() && pageConflicts.isEmpty())) {
                stages.add(new VolumeReplica.StageResolution(id, pageSteps, pageConflicts, null));
                pageSteps = new ArrayList<>();
                pageConflicts = new ArrayList<>();
                left = frames.pageBytes() - base;
            }
            left -= cost;
            if (item instanceof PlanStep step) {
                pageSteps.add(step);
            } else {
                pageConflicts.add((ConflictRecord) item);
            }
        }
        if (!(pageSteps.isEmpty() && pageConflicts.isEmpty())) {
            stages.add(new VolumeReplica.StageResolution(id, pageSteps, pageConflicts, null));
        }
        return stages;
    }

    private static List<Object> concat(List<?> first, List<?> second) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private int size(Object message) {
        return serialization.serialize(message).get().length;
    }

    /**
     * A replica whose answer did not come may still have performed its steps: its volume vector says so (it equals
     * the resolution's, which no replica had before), so every replica is asked once more.
     */
    private void confirm(List<Result> answers, VersionVector vector, int conflicts) {
        if (answers.stream().allMatch(a -> a instanceof Result.Installed)) {
            performed(answers, List.of(), conflicts, vector);
            return;
        }
        asks.gather(VolumeReplica.GetStats::new, stats -> {
            List<Integer> landed = new ArrayList<>();
            List<VersionVector> vectors = GroupAsks.volumeVectors(stats);
            for (int i = 0; i < vectors.size(); i++) {
                if (vector.equals(vectors.get(i))) {
                    landed.add(i);
                }
            }
            performed(answers, landed, conflicts, vector);
        });
    }

    private void performed(List<Result> answers, List<Integer> landed, int conflicts, VersionVector vector) {
        List<Integer> done = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i) instanceof Result.Installed || landed.contains(i)) {
                done.add(i);
            }
        }
        int target = running;
        if (done.isEmpty() && !comparingFully
                && answers.stream().allMatch(a -> a instanceof Result.Rejected r && r.status() == Status.CHANGED)) {
            compareFully("every replica refused the plan of the logs", vector, plannedNextVnode, plannedNextUnique);
            return;
        }
        if (done.isEmpty()) { // none changed (or none said so): as if it had not run
            finish("no replica performed its steps: " + answers);
            return;
        }
        for (int i = 0; i < answers.size(); i++) {
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
                volumeId, target, done, done.size() == answers.size() ? "; every replica is current"
                        : "; the others catch up from them", conflicts == 0 ? ""
                        : "; " + conflicts + " conflicts marked, to repair");
        running = -1;
        resumeMutations();
    }

    /** Ends a resolution that changed nothing: the target stays diverged, with {@code why}; mutations resume. */
    void finish(String why) {
        int target = running;
        running = -1;
        group.divergedBecause(target, why);
        stateChanged.accept(target);
        context.getLog().info("Replica {} of volume {} stays diverged: {}", target, volumeId, why);
        resumeMutations();
    }

    private void resumeMutations() {
        hold.release();
    }

    /** Which replica gave no answer of {@code type} (null: all did). */
    static String missing(List<Result> answers, Class<? extends Result> type) {
        for (int i = 0; i < answers.size(); i++) {
            if (!type.isInstance(answers.get(i))) {
                return "replica " + i + (answers.get(i) instanceof Result.Rejected r ? " refused: " + r.message()
                        : " did not answer");
            }
        }
        return null;
    }

    /** A conflict as the replicas mark it. */
    static ConflictRecord record(Conflict c) {
        return new ConflictRecord(c.kind().name(), c.objects(), c.names().stream()
                .map(n -> new ConflictRecord.Name(n.dir(), n.name())).toList(), c.paths(), List.copyOf(c.replicas()),
                c.reason());
    }

    private static String describe(Conflict conflict) {
        return conflict.kind() + " on " + (conflict.objects().isEmpty() ? conflict.names() : conflict.objects());
    }
}

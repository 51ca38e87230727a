package dev.strand.conflictrepair.resolution;

import dev.strand.conflictrepair.ComparisonRounds;
import dev.strand.conflictrepair.DifferingScan;
import dev.strand.conflictrepair.FullComparison;
import dev.strand.conflictrepair.LogCoverage;
import dev.strand.conflictrepair.LogEntry;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.conflictrepair.ReplicaInput;
import dev.strand.conflictrepair.ResolutionPlan;
import dev.strand.conflictrepair.ResolutionPlanner;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.conflictrepair.resolution.Answers.Answer;
import dev.strand.conflictrepair.resolution.Participants.ImagesPage;
import dev.strand.conflictrepair.resolution.Participants.LogPage;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictTable;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import static dev.strand.conflictrepair.resolution.Answers.missing;
import static dev.strand.conflictrepair.resolution.Answers.range;
import static dev.strand.conflictrepair.resolution.Answers.unwrap;
import static dev.strand.conflictrepair.resolution.Answers.values;

/**
 * RESOLUTION as a protocol: one short-lived actor per resolution, spawned by the volume's coordinator once mutations
 * are held (nothing in flight, owed update sets applied), with the group's replicas as its {@link Participants}.
 * It runs these phases, each bounded by {@link Settings#phaseTimeout} (and each ask by the participant's own timeout):
 * <ol>
 *   <li>GATHER LOGS: every replica's resolution log, page by page; once, a replica gets the update sets it is owed
 *       for what it logged ({@link Participants#settle}) and its log is read again.</li>
 *   <li>GATHER IMAGES: every replica's images of the vnodes any log names.</li>
 *   <li>PLAN: {@link ResolutionPlanner} merges the logs; when they cannot explain the difference ({@link LogCoverage},
 *       {@code NeedsFullComparison}) COMPARE FULLY: every replica's vnode versions, compared page by page in step
 *       ({@link DifferingScan}), the images of those that differ, {@link FullComparison} decides; when more
 *       differ than one round reads, in ROUNDS ({@link ComparisonRounds}), each performed (steps only) before the
 *       next is listed, only the last adopting the new volume vector.</li>
 *   <li>PERFORM: each replica performs its steps, marks the conflicts and adopts the group's new volume vector in one
 *       atomic write, so none is ever half-changed. If every replica refused the log plan (state changed), the
 *       replicas are compared fully instead, once.</li>
 *   <li>CONFIRM (only if some perform answer did not come): the replicas' vectors say whose write landed.</li>
 * </ol>
 * It tells its parent one {@link Outcome} and stops. A replica that does not answer ends it {@link Failed} before
 * anything is performed; a parent that sees it stop without an outcome treats it as failed. Nothing it holds
 * outlives it: the pause is the parent's, released by the parent.
 */
public final class ResolutionCoordinator {

    /**
     * @param phaseTimeout       the longest a phase may wait for its answers (its asks have their own, shorter ones)
     * @param maxComparedObjects the most objects one round of a full comparison reads (their numbers travel in one
     *                           message); when more differ, the comparison goes on in rounds ({@link
     *                           ComparisonRounds})
     */
    public record Settings(Duration phaseTimeout, int maxComparedObjects) {}

    /** What a resolution ended with, told to the parent once. */
    public sealed interface Outcome extends NoSerializationVerificationNeeded {
        long resolution();
    }

    /**
     * Replicas {@code performed} performed their part (every other one did not, or it is not known: it holds less,
     * and catches up from them); {@code conflicts} were marked.
     */
    public record Resolved(long resolution, List<Integer> performed, int conflicts, boolean comparedFully)
            implements Outcome {
        public Resolved {
            performed = List.copyOf(performed);
        }
    }

    /** No replica performed anything (as far as is known); {@code reason} says why. */
    public record Failed(long resolution, String reason) implements Outcome {}

    /** The resolution coordinator's own messages: each phase's answers, and its timeout. */
    public sealed interface Command extends NoSerializationVerificationNeeded {
        /** Which phase this answers (answers of an earlier phase that come late are dropped). */
        int phase();
    }

    /** Every replica's whole log; {@code missing} names a replica that did not give it (then null). */
    record LogsRead(int phase, List<LogPage> logs, String missing) implements Command {}

    /** The owed update sets went; {@code delivered}, per replica: it took some (its log is read again). */
    record LogsSettled(int phase, List<Boolean> delivered) implements Command {}

    record ImagesRead(int phase, List<List<VnodeRecord>> images, String missing) implements Command {}

    /**
     * The vnode numbers that differ between the replicas; {@code overLimit}: more differ than one comparison reads
     * (the listing stopped there); {@code missing}: a replica that did not list its versions, or -1.
     */
    record VersionsListed(int phase, List<Long> differing, boolean overLimit, int missing) implements Command {}

    /** Per replica, null if it performed its part, else why not ({@link Participants.Refused} or no answer). */
    record PerformAnswered(int phase, List<Throwable> notPerformed) implements Command {}

    /** Per replica, its volume vector (null: no answer). */
    record VectorsRead(int phase, List<VersionVector> vectors) implements Command {}

    record PhaseTimedOut(int phase) implements Command {}

    public static Behavior<Command> create(long volumeId, long resolution, Participants participants,
                                           Settings settings, ActorRef<? super Outcome> parent) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ResolutionCoordinator(context, timers,
                volumeId, resolution, participants, settings, parent).gatherLogs(null)));
    }

    private static final Object PHASE_TIMER = "phase";

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final long volumeId;
    private final long resolution;
    private final Participants participants;
    private final Settings settings;
    private final ActorRef<? super Outcome> parent;
    /** The running phase's number: answers carry it. */
    private int phase;
    /** The replicas are compared fully (not twice). */
    private boolean comparingFully;

    private ResolutionCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers, long volumeId,
                                  long resolution, Participants participants, Settings settings,
                                  ActorRef<? super Outcome> parent) {
        this.context = context;
        this.timers = timers;
        this.volumeId = volumeId;
        this.resolution = resolution;
        this.participants = participants;
        this.settings = settings;
        this.parent = parent;
        context.setLoggerName(ResolutionCoordinator.class);
    }

    // ---- GATHER LOGS ------------------------------------------------------------------------------------------

    /**
     * Every replica's log; {@code kept}, after the settle step, holds the logs that stay as they were read (null for
     * a replica that took update sets, whose log is read again), and the images come next.
     */
    private Behavior<Command> gatherLogs(List<LogPage> kept) {
        return await("reading the resolution logs", LogsRead.class,
                p -> every(i -> kept != null && kept.get(i) != null
                        ? CompletableFuture.completedFuture(kept.get(i)) : log(i, 0, new ArrayList<>(), null))
                        .thenApply(logs -> new LogsRead(p, values(logs), missing(logs))),
                read -> read.missing() != null ? fail(read.missing())
                        : kept != null ? gatherImages(read.logs()) : settle(read.logs()));
    }

    /**
     * Replica {@code replica}'s log from entry {@code skip} on, page after page, its entries gathered in {@code soFar}
     * (one page at a time: no other thread touches it meanwhile); the first page's counters and vector stand.
     */
    private CompletionStage<LogPage> log(int replica, int skip, List<LogEntry> soFar, LogPage first) {
        return participants.readLog(replica, skip).thenCompose(page -> {
            soFar.addAll(page.entries());
            LogPage head = first == null ? page : first;
            return page.more() && !page.entries().isEmpty() ? log(replica, skip + page.entries().size(), soFar, head)
                    : CompletableFuture.completedFuture(new LogPage(soFar, head.overflowed(), head.volumeVector(),
                    head.nextVnode(), head.nextUnique(), page.more()));
        });
    }

    /**
     * A replica whose log holds an operation the coordinator saw committed gets that operation's update set first
     * (its COP2 was dropped when it fell behind), and its log is read again (the others' stay as read): otherwise the
     * others, who learned that everyone applied it and dropped it from their logs, would look as if they lacked it.
     */
    private Behavior<Command> settle(List<LogPage> logs) {
        return await("settling the logs", LogsSettled.class, p -> every(i -> participants.settle(i,
                        logs.get(i).entries().stream().map(LogEntry::opId).toList()))
                        .thenApply(sent -> new LogsSettled(p, sent.stream().map(s -> Boolean.TRUE.equals(s.value()))
                                .toList())),
                settled -> {
                    if (!settled.delivered().contains(true)) {
                        return gatherImages(logs);
                    }
                    List<LogPage> kept = new ArrayList<>(); // only a replica that took update sets changed its log
                    for (int i = 0; i < logs.size(); i++) {
                        kept.add(settled.delivered().get(i) ? null : logs.get(i));
                    }
                    return gatherLogs(kept);
                });
    }

    // ---- GATHER IMAGES, PLAN ------------------------------------------------------------------------------------

    private Behavior<Command> gatherImages(List<LogPage> logs) {
        List<List<LogEntry>> entries = logs.stream().map(LogPage::entries).toList();
        List<Long> named = List.copyOf(VnodeImages.named(entries));
        return await("reading the images", ImagesRead.class, p -> images(p, named),
                read -> read.missing() != null ? fail(read.missing()) : plan(logs, read.images()));
    }

    private CompletionStage<ImagesRead> images(int phase, List<Long> vnodes) {
        return every(i -> images(i, vnodes, 0, new ArrayList<>()))
                .thenApply(images -> new ImagesRead(phase, values(images), missing(images)));
    }

    /** As {@link #log}: pieces gathered in {@code soFar} page after page, joined into whole images at the end. */
    private CompletionStage<List<VnodeRecord>> images(int replica, List<Long> vnodes, int skip,
                                                      List<VnodeRecord> soFar) {
        return participants.readImages(replica, vnodes, skip).thenCompose((ImagesPage page) -> {
            soFar.addAll(page.images());
            // skip counts pieces (a large directory comes in several); the whole images are joined at the end
            return page.more() && !page.images().isEmpty() ? images(replica, vnodes, skip + page.images().size(),
                    soFar) : CompletableFuture.completedFuture(VnodeImages.joinPieces(soFar));
        });
    }

    private Behavior<Command> plan(List<LogPage> logs, List<List<VnodeRecord>> images) {
        List<ReplicaInput> inputs = new ArrayList<>();
        VersionVector merged = null;
        long nextVnode = 0;
        long nextUnique = 0;
        for (int i = 0; i < logs.size(); i++) {
            LogPage log = logs.get(i);
            inputs.add(new ReplicaInput(i, log.entries(), log.overflowed(), images.get(i)));
            merged = merged == null ? log.volumeVector() : merged.merge(log.volumeVector());
            nextVnode = Math.max(nextVnode, log.nextVnode());
            nextUnique = Math.max(nextUnique, log.nextUnique());
        }
        VersionVector resolved = merged;
        for (int slot = 0; slot < logs.size(); slot++) {
            resolved = resolved.increment(slot); // dominates every replica's vector before the resolution
        }
        Target target = new Target(resolved, nextVnode, nextUnique);
        String unexplained = LogCoverage.unexplained(logs.stream().map(LogPage::volumeVector).toList(),
                logs.stream().map(l -> l.entries().size()).toList());
        if (unexplained != null) {
            return compareFully(unexplained, target);
        }
        ResolutionPlan plan;
        try {
            plan = ResolutionPlanner.plan(volumeId, logs.size(), inputs);
        } catch (RuntimeException e) {
            return fail("the planner failed: " + e);
        }
        if (plan instanceof ResolutionPlan.NeedsFullComparison full) {
            return compareFully(full.reason(), target);
        }
        ResolutionPlan.Planned planned = (ResolutionPlan.Planned) plan;
        if (planned.conflicts().size() > ConflictTable.MAX_CONFLICTS) { // marked, they would not fit the bound
            return fail(planned.conflicts().size() + " conflicts (" + planned.conflicts().stream().limit(3)
                    .map(c -> c.kind() + " on " + (c.objects().isEmpty() ? c.names() : c.objects()))
                    .collect(Collectors.joining(", ")) + "), more than " + ConflictTable.MAX_CONFLICTS
                    + " can be marked");
        }
        return perform(planned, target);
    }

    /** The group's state after the resolution: a vector dominating every replica's, the highest fid counters. */
    private record Target(VersionVector vector, long nextVnode, long nextUnique) {}

    // ---- COMPARE FULLY -------------------------------------------------------------------------------------------

    private Behavior<Command> compareFully(String why, Target target) {
        comparingFully = true;
        context.getLog().info("Volume {}: the resolution logs cannot merge the replicas ({}): comparing them object by"
                + " object", volumeId, why);
        return listRound(why, target, ComparisonRounds.Carried.start(), 1, 0);
    }

    /**
     * Round {@code round} of a full comparison ({@link ComparisonRounds}): the replicas' versions above what earlier
     * rounds listed, until more differ than the round has room for (what the rounds carry takes room too). When all
     * that differs fits the first round, it is one comparison, decided at once; {@code marked}: conflicts so far.
     */
    private Behavior<Command> listRound(String why, Target target, ComparisonRounds.Carried carried, int round,
                                        int marked) {
        int room = settings.maxComparedObjects() - carried.size();
        if (!ComparisonRounds.fits(carried, settings.maxComparedObjects())) {
            return fail("the full comparison (" + why + ") carries " + carried.size() + " objects it cannot decide"
                    + " yet (their directories are not compared yet, or they are under a conflict): no room for round "
                    + round + " of at most " + settings.maxComparedObjects());
        }
        return await("listing the versions, round " + round, VersionsListed.class,
                p -> VersionListing.scan(participants, new DifferingScan(participants.count(), room,
                                carried.position()))
                        .thenApply(scanned -> new VersionsListed(p, scanned.scan().differing(),
                                scanned.scan().overLimit(), scanned.missing())),
                listed -> {
                    if (listed.missing() >= 0) {
                        return fail("the full comparison (" + why + ") could not list replica " + listed.missing()
                                + "'s vnodes");
                    }
                    if (round == 1 && !listed.overLimit()) {
                        return compareImages(why, target, listed.differing());
                    }
                    boolean last = !listed.overLimit(); // the listing is finished: every directory is final
                    List<Long> numbers = last ? listed.differing() : listed.differing().subList(0, room);
                    long upTo = last ? Long.MAX_VALUE : numbers.get(numbers.size() - 1);
                    return readRound(why, target, carried, round, ComparisonRounds.candidates(numbers, carried), upTo,
                            last, marked);
                });
    }

    /** The round's images, then those of the parents of what it decides that they do not hold (a second read). */
    private Behavior<Command> readRound(String why, Target target, ComparisonRounds.Carried carried, int round,
                                        List<Long> candidates, long upTo, boolean last, int marked) {
        return await("reading round " + round + "'s images", ImagesRead.class, p -> images(p, candidates), read -> {
            if (read.missing() != null) {
                return fail("the full comparison (" + why + ") could not read the images: " + read.missing());
            }
            ComparisonRounds.Split split = ComparisonRounds.split(candidates, upTo, last, carried, read.images());
            if (split.parents().isEmpty()) {
                List<List<VnodeRecord>> none = read.images().stream().map(i -> List.<VnodeRecord>of()).toList();
                return decideRound(why, target, round, split, upTo, last, read.images(), none, marked);
            }
            return await("reading round " + round + "'s parents", ImagesRead.class,
                    p -> images(p, List.copyOf(split.parents())), parents -> parents.missing() != null
                            ? fail("the full comparison (" + why + ") could not read the images: " + parents.missing())
                            : decideRound(why, target, round, split, upTo, last, read.images(), parents.images(),
                            marked));
        });
    }

    /**
     * Decides a round and performs it: every round's steps and conflicts in one atomic write per replica, without
     * the new volume vector, which only the last round adopts (so a comparison that dies half way leaves every
     * replica diverged, each round's result equal everywhere, and the next try compares what still differs).
     */
    private Behavior<Command> decideRound(String why, Target target, int round, ComparisonRounds.Split split,
                                          long upTo, boolean last, List<List<VnodeRecord>> images,
                                          List<List<VnodeRecord>> parents, int marked) {
        ComparisonRounds.Round decided;
        try {
            decided = ComparisonRounds.decide(volumeId, split, upTo, images, parents);
        } catch (RuntimeException e) {
            return fail("the full comparison (" + why + ") failed in round " + round + ": " + e);
        }
        ResolutionPlan.Planned plan = decided.plan();
        int conflicts = marked + plan.conflicts().size();
        if (conflicts > ConflictTable.MAX_CONFLICTS) {
            return fail("the full comparison (" + why + ") found " + conflicts + " conflicts, more than "
                    + ConflictTable.MAX_CONFLICTS + " can be marked");
        }
        context.getLog().info("Volume {}: full comparison, round {}: {} objects decided, {} carried, {} conflicts",
                volumeId, round, split.decided().size(), decided.carried().size(), plan.conflicts().size());
        if (last) {
            return perform(plan, target, marked);
        }
        if (plan.conflicts().isEmpty() && plan.steps().values().stream().allMatch(List::isEmpty)) {
            return listRound(why, target, decided.carried(), round + 1, conflicts);
        }
        return await("performing round " + round, PerformAnswered.class, p -> every(i -> participants.perform(i,
                        new Participants.Perform(resolution, plan.steps().getOrDefault(i, List.of()),
                                plan.conflicts(), null, target.nextVnode(), target.nextUnique())))
                        .thenApply(done -> new PerformAnswered(p, done.stream().map(Answer::failure).toList())),
                answered -> answered.notPerformed().stream().allMatch(Objects::isNull)
                        ? listRound(why, target, decided.carried(), round + 1, conflicts)
                        : fail("round " + round + " of the full comparison (" + why + ") was not performed: "
                        + answered.notPerformed().stream().map(Answers::why).toList()));
    }

    private Behavior<Command> compareImages(String why, Target target, List<Long> differing) {
        return await("reading the differing images", ImagesRead.class, p -> images(p, differing), read -> {
            if (read.missing() != null) {
                return fail("the full comparison (" + why + ") could not read the images: " + read.missing());
            }
            ResolutionPlan.Planned plan;
            try {
                plan = FullComparison.decide(volumeId, differing, read.images());
            } catch (RuntimeException e) {
                return fail("the full comparison (" + why + ") failed: " + e);
            }
            if (plan.conflicts().size() > ConflictTable.MAX_CONFLICTS) {
                return fail("the full comparison (" + why + ") found " + plan.conflicts().size()
                        + " conflicts, more than " + ConflictTable.MAX_CONFLICTS + " can be marked");
            }
            context.getLog().info("Volume {}: full comparison: {} objects differ, {} conflicts", volumeId,
                    differing.size(), plan.conflicts().size());
            return perform(plan, target);
        });
    }

    // ---- PERFORM, CONFIRM ----------------------------------------------------------------------------------------

    private Behavior<Command> perform(ResolutionPlan.Planned plan, Target target) {
        return perform(plan, target, 0);
    }

    /** {@code marked}: conflicts earlier rounds of a full comparison marked. */
    private Behavior<Command> perform(ResolutionPlan.Planned plan, Target target, int marked) {
        IntFunction<Participants.Perform> part = i -> new Participants.Perform(resolution,
                plan.steps().getOrDefault(i, List.<PlanStep>of()), plan.conflicts(), target.vector(),
                target.nextVnode(), target.nextUnique());
        int conflicts = marked + plan.conflicts().size();
        List<Throwable> unanswered = new ArrayList<>();
        for (int i = 0; i < participants.count(); i++) {
            unanswered.add(new IllegalStateException("no answer within the phase"));
        }
        // past the phase's timeout a write may still land: the vectors tell
        return await("performing", PerformAnswered.class, p -> every(i -> participants.perform(i, part.apply(i)))
                        .thenApply(done -> new PerformAnswered(p, done.stream().map(Answer::failure).toList())),
                answered -> answered.notPerformed().stream().allMatch(f -> f == null)
                        ? report(new Resolved(resolution, range(participants.count()), conflicts, comparingFully))
                        : confirm(answered.notPerformed(), target, conflicts),
                () -> confirm(unanswered, target, conflicts));
    }

    /**
     * A replica whose answer did not come may still have performed its part: its volume vector says so (it equals
     * the resolution's, which no replica had before).
     */
    private Behavior<Command> confirm(List<Throwable> notPerformed, Target target, int conflicts) {
        return await("confirming", VectorsRead.class, p -> every(participants::volumeVector)
                .thenApply(vectors -> new VectorsRead(p, vectors.stream().map(Answer::value).toList())), read -> {
            List<Integer> done = new ArrayList<>();
            for (int i = 0; i < notPerformed.size(); i++) {
                if (notPerformed.get(i) == null || target.vector().equals(read.vectors().get(i))) {
                    done.add(i);
                }
            }
            if (done.isEmpty() && !comparingFully && notPerformed.stream()
                    .allMatch(f -> f instanceof Participants.Refused r && r.changed())) {
                return compareFully("every replica refused the plan of the logs", target);
            }
            if (done.isEmpty()) { // none changed (or none said so): as if it had not run
                return fail("no replica performed its steps: " + notPerformed.stream()
                        .map(Answers::why).toList());
            }
            return report(new Resolved(resolution, done, conflicts, comparingFully));
        });
    }

    // ---- the phases' machinery -----------------------------------------------------------------------------------

    /** As {@link #await(String, Class, Function, Function, java.util.function.Supplier)}; a timeout fails. */
    private <A extends Command> Behavior<Command> await(String what, Class<A> answer,
                                                        Function<Integer, CompletionStage<A>> work,
                                                        Function<A, Behavior<Command>> then) {
        return await(what, answer, work, then, () -> fail(what + ": no answer within "
                + settings.phaseTimeout().toMillis() + " ms"));
    }

    /**
     * Starts a phase: {@code work} (given the phase's number) answers with one message, which {@code then} takes;
     * if it has not come within the phase timeout, {@code timedOut} decides. Late answers of earlier phases drop.
     */
    private <A extends Command> Behavior<Command> await(String what, Class<A> answer,
                                                        Function<Integer, CompletionStage<A>> work,
                                                        Function<A, Behavior<Command>> then,
                                                        java.util.function.Supplier<Behavior<Command>> timedOut) {
        int current = ++phase;
        context.getLog().debug("Volume {}, resolution {}: {}", volumeId, resolution, what);
        context.pipeToSelf(work.apply(current), (result, failure) -> result != null ? result
                : new PhaseTimedOut(current)); // (the work never fails: each ask's failure is its answer)
        timers.startSingleTimer(PHASE_TIMER, new PhaseTimedOut(current), settings.phaseTimeout());
        return Behaviors.receive(Command.class)
                .onMessage(answer, a -> a.phase() == current, a -> {
                    timers.cancel(PHASE_TIMER);
                    return then.apply(a);
                })
                .onMessage(PhaseTimedOut.class, t -> t.phase() == current, t -> timedOut.get())
                .onAnyMessage(late -> Behaviors.same())
                .build();
    }

    private Behavior<Command> fail(String reason) {
        return report(new Failed(resolution, reason));
    }

    private Behavior<Command> report(Outcome outcome) {
        timers.cancelAll();
        parent.tell(outcome);
        return Behaviors.stopped();
    }

    private <T> CompletableFuture<List<Answer<T>>> every(IntFunction<CompletionStage<T>> ask) {
        return Answers.everyReplica(participants, ask);
    }
}

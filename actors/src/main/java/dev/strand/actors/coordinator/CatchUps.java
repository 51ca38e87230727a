package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.metrics.StrandMetrics;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.cop2.OperationPipeline;
import dev.strand.replication.CatchUpPlanner;
import dev.strand.replication.StorageGroup;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * CATCH-UP, the coordinator's side: a replica that is behind is brought up to date from a current one
 * ({@link ReplicaCatchUp} runs the exchange, {@link CatchUpPlanner} decides): rounds while the volume keeps
 * changing, then one last round with mutations paused, after which it is current. Runs inside the
 * coordinator (its messages are the coordinator's: {@code RetryCatchUp}, {@code PendingChecked},
 * {@code CatchUpRoundFinished}); its last round holds the {@link MutationHold}.
 */
final class CatchUps {

    /** Per replica being caught up: its catch-up and the rounds run so far. */
    private static final class Run {
        final ReplicaCatchUp catchUp;
        int rounds;
        int installed;

        Run(ReplicaCatchUp catchUp) {
            this.catchUp = catchUp;
        }
    }

    private final ActorContext<Object> context;
    private final TimerScheduler<Object> timers;
    private final long volumeId;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final OperationPipeline<?, ?> pipeline;
    private final GroupAsks asks;
    private final Duration timeout;
    /** The pause of a last round (and of a resolution, a group check, a repair: one at a time). */
    private final MutationHold hold;
    private final StrandMetrics metrics;
    /** Diverged replicas are resolved (a resolution also pauses mutations: one pause at a time). */
    private final Resolutions resolutions;

    /** Per replica being caught up (null while its vectors are gathered). */
    private final Map<Integer, Run> runs = new HashMap<>();
    /** Per replica: catch-ups that failed in a row (for the retry delay). */
    private final int[] failures;
    /**
     * Per replica: the number of its latest look (the vectors gathered, then perhaps its pending operations listed,
     * before a catch-up or resolution begins). A look's answers count only while it is the latest: a group check
     * that saw the replica answer starts a new look rather than wait out one whose asks went into a partition.
     */
    private final long[] looks;
    /** When the pause for the last round began (nanoTime), for the log. */
    private long pausedSince;

    CatchUps(ActorContext<Object> context, TimerScheduler<Object> timers, long volumeId,
             List<RecipientRef<Command>> replicas, StorageGroup group, OperationPipeline<?, ?> pipeline,
             GroupAsks asks, Duration timeout, MutationHold hold) {
        this.context = context;
        this.timers = timers;
        this.volumeId = volumeId;
        this.replicas = replicas;
        this.group = group;
        this.pipeline = pipeline;
        this.asks = asks;
        this.timeout = timeout;
        this.hold = hold;
        this.metrics = StrandMetrics.get(context.getSystem());
        this.failures = new int[replicas.size()];
        this.looks = new long[replicas.size()];
        this.resolutions = new Resolutions(context, volumeId, replicas, group, pipeline, hold, timeout,
                this::stateChanged, this::schedule);
    }

    boolean catchingUp(int replica) {
        return runs.get(replica) != null;
    }

    /** Resolutions of diverged replicas (the coordinator hands them their coordinator's messages). */
    Resolutions resolutions() {
        return resolutions;
    }

    /** Whether a resolution runs now (reads wait for it: see {@link ReadRouting}). */
    boolean resolving() {
        return resolutions.running();
    }

    /**
     * Replicas judged behind when the coordinator started (or judged again): each is caught up, or, if it
     * diverged (its vector is concurrent with another's), resolved.
     */
    void behindAtStart(List<Integer> behind, List<VersionVector> vectors) {
        for (int i : behind) {
            context.getLog().warn("Replica {} of volume {} is {} ({}); it serves nothing until it is {}", i, volumeId,
                    group.isDiverged(i) ? "diverged" : "behind", vectors.get(i) == null ? "did not answer"
                            : "vector " + vectors.get(i) + (group.isDiverged(i) ? " is concurrent with another's"
                            : " is dominated"), group.isDiverged(i) ? "resolved" : "brought up to date");
            pipeline.dropUnsent(i);
            schedule(i);
        }
    }

    /** Starts catching replica {@code target} up now, unless that is already under way. */
    void schedule(int target) {
        stateChanged(target);
        VolumeCoordinator.RetryCatchUp retry = new VolumeCoordinator.RetryCatchUp(target);
        if (!runs.containsKey(target) && !timers.isTimerActive(retry)) {
            timers.startSingleTimer(retry, Duration.ZERO);
        }
    }

    /**
     * As {@link #schedule}, but a replica waiting out its backoff is tried now: a group check just saw it answer
     * (after a heal, the resolution starts at once rather than at the next retry). A look at the replica still
     * waiting for answers (asked while it was cut off, they would come only as the replica timeout) is superseded
     * by a new one. Only checks call it, so two replicas' retries can never wake each other in a loop.
     */
    void scheduleNow(int target) {
        stateChanged(target);
        if (runs.containsKey(target) && runs.get(target) == null) { // looking: its late answers will not count
            looks[target]++;
            runs.remove(target);
        }
        if (!runs.containsKey(target)) {
            timers.startSingleTimer(new VolumeCoordinator.RetryCatchUp(target), Duration.ZERO); // replaces the backoff
        }
    }

    /** Checks every replica's volume vector first, then follows the planner. */
    void start(int target) {
        if (target >= group.size() || !group.isBehind(target) || runs.containsKey(target)) {
            return;
        }
        if (resolutions.running()) {
            retryLater(target, "a resolution is running");
            return;
        }
        runs.put(target, null); // reserved while the vectors are gathered
        long look = ++looks[target];
        asks.gather(VolumeReplica.GetStats::new, answers -> {
            if (looks[target] != look) { // superseded by a newer look at the target: its answers are older news
                return;
            }
            asks.noteAnswers(answers);
            List<VersionVector> vectors = GroupAsks.volumeVectors(answers);
            if (group.isDiverged(target)) {
                resolveDiverged(target, vectors);
                return;
            }
            CatchUpPlanner.Plan plan = CatchUpPlanner.plan(target, vectors, group);
            if (plan instanceof CatchUpPlanner.Plan.CopyFrom copy) {
                begin(target, copy.source());
            } else if (plan instanceof CatchUpPlanner.Plan.Rejudge) {
                runs.remove(target);
                behindAtStart(group.judge(vectors), vectors);
                if (group.isBehind(target)) {
                    retryLater(target, "no replica is current");
                }
            } else if (plan instanceof CatchUpPlanner.Plan.Retry retry) {
                runs.remove(target);
                retryLater(target, retry.why());
            } else if (plan instanceof CatchUpPlanner.Plan.CheckPending check) {
                // not dominated: the target may only hold operations it applied without its answer arriving
                int from = check.current();
                context.pipeToSelf(pendingOperations(target, new ArrayList<>()),
                        (pending, failure) -> new VolumeCoordinator.PendingChecked(target, look, from,
                                vectors.get(target), vectors.get(from), pending, failure));
            }
        });
    }

    /**
     * A diverged replica: if a current replica now holds everything it holds (a resolution it missed, say), it
     * catches up from it; otherwise the group is resolved. Either way it is looked at again after the backoff,
     * so a resolution that could not run (a replica missing, another pause) runs later.
     */
    private void resolveDiverged(int target, List<VersionVector> vectors) {
        if (vectors.get(target) != null) {
            for (int j = 0; j < vectors.size(); j++) {
                if (j != target && !group.isBehind(j) && vectors.get(j) != null) {
                    VersionOrder order = vectors.get(target).compare(vectors.get(j));
                    if (order == VersionOrder.EQUAL || order == VersionOrder.DOMINATED) {
                        begin(target, j);
                        return;
                    }
                }
            }
        }
        runs.remove(target);
        if (!group.anyCurrent() && vectors.stream().allMatch(v -> v != null)) {
            // every replica answered: which are diverged, behind or current is known afresh
            group.judge(vectors).forEach(this::schedule);
            if (!group.isBehind(target)) {
                stateChanged(target);
                return;
            }
        }
        boolean started = vectors.stream().allMatch(v -> v != null) && resolutions.start(target);
        retryLater(target, vectors.get(target) == null ? "it did not answer"
                : started ? "it diverged: resolving" : "it diverged; a resolution or catch-up runs");
    }

    /**
     * Every operation a replica waits COP2 for, asked page by page (each fits one message), as one
     * {@link Result.PendingOperations}; a refusal as it came.
     */
    private CompletionStage<Result> pendingOperations(int replica, List<Long> soFar) {
        return asks.ask(replica, r -> new VolumeReplica.ListPendingOperationsPage(soFar.size(), r))
                .thenCompose(answer -> {
                    if (!(answer instanceof Result.PendingOperationsPage page)) {
                        return CompletableFuture.completedFuture(answer);
                    }
                    soFar.addAll(page.opIds()); // one page at a time: no other thread touches the list meanwhile
                    return page.last() || page.opIds().isEmpty()
                            ? CompletableFuture.completedFuture(new Result.PendingOperations(soFar))
                            : pendingOperations(replica, soFar);
                });
    }

    void onPendingChecked(VolumeCoordinator.PendingChecked checked) {
        int target = checked.target();
        if (looks[target] != checked.look()) { // superseded by a newer look at the target
            return;
        }
        boolean listed = checked.pending() instanceof Result.PendingOperations;
        List<Long> pending = listed ? ((Result.PendingOperations) checked.pending()).opIds() : List.of();
        if (listed && !group.isBehind(checked.source()) && CatchUpPlanner.excessExplained(target,
                checked.targetVector(), checked.sourceVector(), pending, pipeline.committed()::updateSetOf)) {
            context.getLog().info("Replica {} of volume {} waits COP2 for {} operations the other replicas applied "
                    + "too (answers lost); it catches up", target, volumeId, pending.size());
            begin(target, checked.source());
            return;
        }
        group.markDiverged(target, listed);
        runs.remove(target);
        if (listed) {
            resolutions.start(target); // if it merges, the replica is current before the retry below comes
        }
        retryLater(target, listed ? "no current replica holds everything it holds (vector "
                + checked.targetVector() + "): the replicas diverged and need resolution"
                : "it did not list its pending operations");
    }

    private void begin(int target, int source) {
        group.markDiverged(target, false);
        context.getLog().info("Replica {} of volume {} catches up from replica {}", target, volumeId, source);
        Run run = new Run(new ReplicaCatchUp(volumeId, source, replicas.get(source), target, replicas.get(target),
                timeout, context.getSystem().scheduler()));
        runs.put(target, run);
        stateChanged(target);
        round(target, false);
    }

    private void round(int target, boolean complete) {
        Run run = runs.get(target);
        context.pipeToSelf(run.catchUp.round(complete),
                (outcome, failure) -> new VolumeCoordinator.CatchUpRoundFinished(target, complete, outcome, failure));
    }

    void onRoundFinished(VolumeCoordinator.CatchUpRoundFinished finished) {
        int target = finished.target();
        Run run = runs.get(target);
        if (run == null) {
            return;
        }
        if (finished.failure() != null) {
            runs.remove(target);
            if (finished.complete()) {
                resumeMutations();
            }
            Throwable cause = finished.failure().getCause() != null ? finished.failure().getCause() : finished.failure();
            retryLater(target, cause.getMessage());
            return;
        }
        run.rounds++;
        run.installed += finished.outcome().installed();
        if (!finished.complete()) {
            pausedSince = System.nanoTime();
            // the last round: let what is in flight finish, start nothing new (unless another pause holds them)
            if (!CatchUpPlanner.lastRoundNext(finished.outcome().installed(), run.rounds)
                    || !hold.hold(MutationHold.Holder.CATCH_UP_LAST_ROUND, unacked -> finalRound(target, unacked))) {
                round(target, false);
            }
            return;
        }
        runs.remove(target);
        group.markCurrent(target);
        failures[target] = 0;
        pipeline.dropUnsent(target);
        stateChanged(target);
        context.getLog().info("Replica {} of volume {} is up to date again (from replica {}: {} items in {} rounds, "
                + "changes paused {} ms for the last); it takes part in every operation from now on", target, volumeId,
                run.catchUp.sourceIndex(), run.installed, run.rounds,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedSince));
        forgetSettledLogsThenResume();
    }

    /**
     * Still paused: if every replica is current now, they hold the same operations, and the entries the others
     * logged while the target was away (it holds those operations as copies now, its own log emptied) go, before a
     * later resolution takes them for operations the target lacks (see {@link GroupAsks#forgetSettledLogs}).
     */
    private void forgetSettledLogsThenResume() {
        for (int i = 0; i < group.size(); i++) {
            if (group.isBehind(i)) {
                resumeMutations();
                return;
            }
        }
        asks.gather(VolumeReplica.GetStats::new, stats -> asks.forgetSettledLogs(stats, this::resumeMutations));
    }

    /**
     * The last round, mutations paused: every replica applied the update sets it is owed (and the target gets none
     * of those itself), so the versions the target copies already include every COP2.
     */
    private void finalRound(int target, List<Integer> unacknowledged) {
        Run run = runs.get(target);
        if (run == null || group.isBehind(run.catchUp.sourceIndex())) {
            runs.remove(target);
            hold.release();
            retryLater(target, "its source fell behind");
        } else if (!unacknowledged.isEmpty()) {
            runs.remove(target);
            hold.release();
            retryLater(target, "update sets could not be applied first: replicas " + unacknowledged
                    + " did not acknowledge them");
        } else {
            round(target, true);
        }
    }

    private void resumeMutations() {
        if (hold.heldBy(MutationHold.Holder.CATCH_UP_LAST_ROUND)) {
            hold.release();
        }
    }

    private void retryLater(int target, String why) {
        stateChanged(target);
        long millis = CatchUpPlanner.retryDelayMillis(++failures[target]);
        context.getLog().info("Replica {} of volume {} could not be brought up to date ({}); trying again in {} ms",
                target, volumeId, why, millis);
        timers.startSingleTimer(new VolumeCoordinator.RetryCatchUp(target), Duration.ofMillis(millis));
    }

    /** METRICS: the replica's state as volume info shows it. */
    private void stateChanged(int target) {
        metrics.replicaState(volumeId, target, group.state(target, runs.get(target) != null).label());
    }
}

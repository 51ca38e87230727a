package dev.strand.actors.coordinator;

import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.cop2.OperationPipeline;
import dev.strand.replication.StorageGroup;
import dev.strand.replication.VersionVector;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/** Asks every replica of the storage group at once; the answers come back to the coordinator as one message. */
final class GroupAsks {

    /** How long volume info and VALIDATE wait for a replica that is behind and did not answer last time. */
    private static final Duration QUICK_TIMEOUT = Duration.ofMillis(500);

    private final ActorContext<Object> context;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final Duration timeout;

    GroupAsks(ActorContext<Object> context, List<RecipientRef<Command>> replicas, StorageGroup group,
              Duration timeout) {
        this.context = context;
        this.replicas = replicas;
        this.group = group;
        this.timeout = timeout;
    }

    /** Asks every replica; {@code then} runs in the coordinator with every answer (null where there was none). */
    void gather(Function<ActorRef<Result>, Command> command, Consumer<List<Result>> then) {
        gather(command, then, false);
    }

    /**
     * As {@link #gather(Function, Consumer)}; with {@code quick}, a replica that is behind and did not answer
     * last time gets a short wait only, so that volume info and VALIDATE do not stall on a replica whose node
     * is down (catching up probes it with the full timeout).
     */
    void gather(Function<ActorRef<Result>, Command> command, Consumer<List<Result>> then, boolean quick) {
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        Duration shortWait = QUICK_TIMEOUT.compareTo(timeout) < 0 ? QUICK_TIMEOUT : timeout;
        for (int i = 0; i < replicas.size(); i++) {
            Duration wait = quick && group.isBehind(i) && !group.isAnswering(i) ? shortWait : timeout;
            answers.add(AskPattern.<Command, Result>ask(replicas.get(i), command::apply, wait,
                    context.getSystem().scheduler()).toCompletableFuture().exceptionally(failure -> null));
        }
        whenAll(answers, then);
    }

    /**
     * Once every one of {@code answers} completed (null where a replica did not answer), {@code then} runs in the
     * coordinator with them, in order.
     */
    void whenAll(List<CompletableFuture<Result>> answers, Consumer<List<Result>> then) {
        context.pipeToSelf(CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(answers.stream().map(a -> a.getNow(null)).toList(),
                        then));
    }

    /** Asks replica {@code replica} alone, with the full timeout. */
    CompletionStage<Result> ask(int replica, Function<ActorRef<Result>, Command> command) {
        return AskPattern.ask(replicas.get(replica), command::apply, timeout, context.getSystem().scheduler());
    }

    /** Asks replica {@code replica} alone; the answer, or null if none came (timeout, failure). */
    CompletableFuture<Result> askOrNull(int replica, Function<ActorRef<Result>, Command> command) {
        return ask(replica, command).toCompletableFuture().exceptionally(failure -> null);
    }

    /**
     * Every replica gets the update sets it is owed ({@code pipeline}'s unsent ones); once each has answered (or
     * not), {@code then} runs in the coordinator with the current replicas (not behind) that did not acknowledge
     * theirs. Before a pause's reads, so what the replicas report includes them (see {@link MutationHold}).
     */
    void deliverOwedCop2(OperationPipeline<?, ?> pipeline, Consumer<List<Integer>> then) {
        List<CompletableFuture<Result>> acks = new ArrayList<>();
        List<Integer> to = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            List<Cop2Update> updates = Mutations.wire(pipeline.takeUnsent(i));
            if (!updates.isEmpty()) {
                acks.add(askOrNull(i, r -> new VolumeReplica.Cop2(updates, r)));
                to.add(i);
            }
        }
        context.pipeToSelf(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(List.of(), ignored -> {
                    List<Integer> unacknowledged = new ArrayList<>();
                    for (int k = 0; k < acks.size(); k++) {
                        if (acks.get(k).getNow(null) == null && !group.isBehind(to.get(k))) {
                            unacknowledged.add(to.get(k));
                        }
                    }
                    then.accept(unacknowledged);
                }));
    }

    /**
     * At a quiet moment (mutations paused, owed update sets applied), given every replica's GetStats answer: if every
     * replica is current with the same volume vector, they hold the same operations, so no log entry names one that
     * some replica lacks; each replica forgets its entries ({@link VolumeReplica.ForgetSettledLog}). Otherwise a
     * replica that caught up (its log emptied, the operations held as its source's copies) would look to a later
     * resolution as if it lacked what the others logged, and their replay there would be refused as conflicts.
     * Then {@code then} runs in the coordinator (also when nothing was to forget, or some replica did not answer:
     * its entries wait for the next quiet moment).
     */
    void forgetSettledLogs(List<Result> stats, Runnable then) {
        List<VersionVector> vectors = volumeVectors(stats);
        VersionVector common = vectors.isEmpty() ? null : vectors.get(0);
        boolean settled = common != null;
        boolean logged = false;
        for (int i = 0; i < vectors.size(); i++) {
            settled &= common != null && common.equals(vectors.get(i)) && !group.isBehind(i) && !group.isDiverged(i);
            logged |= !(stats.get(i) instanceof Result.Stats s) || s.self() == null
                    || s.self().resolutionLogEntries() > 0;
        }
        if (!settled || !logged) {
            then.run();
            return;
        }
        List<CompletableFuture<Result>> acks = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            acks.add(askOrNull(i, r -> new VolumeReplica.ForgetSettledLog(common, r)));
        }
        context.pipeToSelf(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(List.of(), ignored -> then.run()));
    }

    /** Each replica's volume vector from its GetStats answer (null where it gave none). */
    static List<VersionVector> volumeVectors(List<Result> answers) {
        List<VersionVector> vectors = new ArrayList<>();
        for (Result answer : answers) {
            vectors.add(answer instanceof Result.Stats stats && stats.versionVector() != null
                    ? VersionVector.fromList(stats.versionVector()) : null);
        }
        return vectors;
    }

    /** Notes who answered. */
    void noteAnswers(List<Result> answers) {
        for (int i = 0; i < answers.size(); i++) {
            group.answered(i, answers.get(i) != null);
        }
    }
}

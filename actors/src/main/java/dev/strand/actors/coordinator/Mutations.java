package dev.strand.actors.coordinator;

import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.cop2.OperationIds;
import dev.strand.cop2.OperationPipeline;
import dev.strand.cop2.OperationPipeline.Answer;
import dev.strand.cop2.UpdateSet;
import dev.strand.metrics.StrandMetrics;
import dev.strand.metrics.StrandMetrics.Cop1Outcome;
import dev.strand.protocol.Status;
import dev.strand.replication.StorageGroup;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * The coordinator's mutations ({@code Execute} of a namespace mutation, {@code CommitStore}, {@code CommitPut}): COP1 through the
 * {@link OperationPipeline} to every replica that is not behind, the client's answer once they answered, and COP2
 * (each update set piggybacked on the replica's next COP1, or on its own after the flush delay).
 */
final class Mutations {

    /** A mutation waiting for its turn: an Execute, a CommitStore or a CommitPut, and who asked. */
    record QueuedMutation(Command command, ActorRef<Result> replyTo) {}

    /** A replica's answer to COP1 of operation {@code opId} (or its failure). Internal. */
    record Cop1Answered(long opId, int replica, Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    /** Upper bound of an update set's CBOR bytes (an operation id and at most five slots; checked by PagedSweepTest). */
    static final int COP2_UPDATE_BYTES = 96;

    private final ActorContext<Object> context;
    private final TimerScheduler<Object> timers;
    private final long volumeId;
    private final VolumeRegistry.VolumeRecord volume;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final OperationPipeline<QueuedMutation, Result> pipeline;
    private final VolumeCoordinator.Settings settings;
    private final StrandMetrics metrics;
    /** Asks the registry for more operation ids, if the lease runs low and none were asked for yet. */
    private final Runnable leaseIfLow;
    /** A replica missed an operation: it is behind and must be caught up. */
    private final IntConsumer behind;
    /** An operation finished: what watches the group's activity (catch-up, detection, COP2 settling) hears it. */
    private final Runnable afterOperation;

    Mutations(ActorContext<Object> context, TimerScheduler<Object> timers, long volumeId,
              VolumeRegistry.VolumeRecord volume, List<RecipientRef<Command>> replicas, StorageGroup group, OperationIds opIds,
              VolumeCoordinator.Settings settings, Runnable leaseIfLow, IntConsumer behind, Runnable afterOperation) {
        this.context = context;
        this.timers = timers;
        this.volumeId = volumeId;
        this.volume = volume;
        this.replicas = replicas;
        this.group = group;
        this.pipeline = new OperationPipeline<>(group, volume.requiredReplicas(), opIds);
        this.settings = settings;
        this.metrics = StrandMetrics.get(context.getSystem());
        this.leaseIfLow = leaseIfLow;
        this.behind = behind;
        this.afterOperation = afterOperation;
    }

    /** The pipeline, which catching up, detection and COP2 settling pause, resume and read. */
    OperationPipeline<QueuedMutation, Result> pipeline() {
        return pipeline;
    }

    void enqueue(Command command, ActorRef<Result> replyTo) {
        pipeline.enqueue(new QueuedMutation(command, replyTo));
        startNext();
    }

    /** Sends (or refuses) what the pipeline lets start now. */
    void startNext() {
        for (var start = pipeline.next(); start != null; start = pipeline.next()) {
            leaseIfLow.run();
            if (start instanceof OperationPipeline.Start.NoOperationId<QueuedMutation> none) {
                none.mutation().replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "the coordinator of volume '"
                        + volume.name() + "' is waiting for operation ids from the volume registry"));
            } else if (start instanceof OperationPipeline.Start.TooFewAvailable<QueuedMutation> few) {
                metrics.cop1(Cop1Outcome.UNAVAILABLE);
                few.mutation().replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "only " + few.available()
                        + " of " + few.size() + " replicas of volume '" + volume.name() + "' are available; a change "
                        + "needs " + few.required() + "; nothing was changed"));
            } else if (start instanceof OperationPipeline.Start.Send<QueuedMutation> send) {
                long opId = send.opId();
                long time = System.currentTimeMillis();
                for (int replica : send.targets()) {
                    Cop1 cop1 = new Cop1(opId, time, wire(pipeline.takeUnsent(replica)));
                    context.ask(Result.class, replicas.get(replica), settings.replicaTimeout(),
                            ref -> withCop1(send.mutation().command(), cop1, ref),
                            (result, failure) -> new Cop1Answered(opId, replica, result, failure));
                }
            }
        }
    }

    private static Command withCop1(Command command, Cop1 cop1, ActorRef<Result> replyTo) {
        if (command instanceof VolumeReplica.Execute execute) {
            return execute.withCop1(cop1, replyTo);
        }
        if (command instanceof VolumeReplica.CommitPut p) {
            return new VolumeReplica.CommitPut(p.dir(), p.name(), p.mode(), p.blobId(), p.length(), p.requestDigest(),
                    p.clientId(), p.requestId(), replyTo, cop1);
        }
        return ((VolumeReplica.CommitStore) command).withCop1(cop1, replyTo);
    }

    /** Update sets as the replicas' protocol carries them. */
    static List<Cop2Update> wire(List<UpdateSet> updates) {
        return updates.isEmpty() ? List.of()
                : updates.stream().map(u -> new Cop2Update(u.opId(), u.replicas())).toList();
    }

    void onCop1Answered(Cop1Answered answered) {
        Result result = answered.result();
        group.answered(answered.replica(), result != null);
        if (answered.failure() != null) {
            context.getLog().debug("Replica {} of volume {} did not answer operation {}: {}", answered.replica(),
                    volumeId, answered.opId(), answered.failure().toString());
        }
        Answer kind = result == null ? Answer.NONE : result instanceof Result.Done done
                ? (done.committed() ? Answer.COMMITTED : Answer.UNCHANGED) : Answer.REFUSED;
        var finished = pipeline.answer(answered.opId(), answered.replica(), kind, result);
        if (finished != null) {
            finish(finished);
            startNext();
            afterOperation.run();
        }
    }

    /** Catches up the replicas that missed the operation, answers the client, and schedules COP2. */
    private void finish(OperationPipeline.Finished<QueuedMutation, Result> op) {
        for (int i : op.missed()) {
            context.getLog().warn("Replica {} of volume {} is behind: it did not apply operation {} that {} applied; "
                    + "it serves nothing until it is brought up to date", i, volumeId, op.opId(), op.updateSet());
            behind.accept(i);
        }
        ActorRef<Result> client = op.mutation().replyTo();
        metrics.cop1(switch (op.outcome()) {
            case UNDER_REPLICATED -> Cop1Outcome.UNDER_REPLICATED;
            case NO_ANSWER -> Cop1Outcome.UNAVAILABLE;
            case ANSWER -> op.updateSet().isEmpty() ? Cop1Outcome.REFUSED : Cop1Outcome.COMMITTED;
        });
        if (op.updateSet().size() > 1) {
            metrics.cop2UpdateSet();
        }
        switch (op.outcome()) {
            case UNDER_REPLICATED -> client.tell(new Result.Rejected(Status.UNDER_REPLICATED, "applied on "
                    + op.updateSet().size() + " of " + replicas.size() + " replicas of volume '" + volume.name()
                    + "'; min-replicas needs " + volume.requiredReplicas()));
            case NO_ANSWER -> client.tell(new Result.Rejected(Status.TIMEOUT, "no replica of volume '"
                    + volume.name() + "' answered within " + settings.replicaTimeout().toMillis() + " ms; the change "
                    + "may or may not have been applied"));
            case ANSWER -> client.tell(op.reply() instanceof Result.Done done ? new Result.Done(done.reply())
                    : op.reply());
        }
        // a full batch goes now: a COP1 or COP2 message never carries more (see OperationPipeline.MAX_UNSENT_COP2)
        op.cop2Now().forEach((replica, updates) -> replicas.get(replica).tell(new VolumeReplica.Cop2(wire(updates),
                null)));
        if (pipeline.anyUnsent() && !timers.isTimerActive(VolumeCoordinator.Tick.FLUSH_COP2)) {
            timers.startSingleTimer(VolumeCoordinator.Tick.FLUSH_COP2, settings.cop2FlushDelay());
        }
    }

    /** Update sets that found no COP1 message to ride on go on their own. */
    void flushCop2() {
        for (int i = 0; i < replicas.size(); i++) {
            List<Cop2Update> updates = wire(pipeline.takeUnsent(i));
            if (!updates.isEmpty()) {
                replicas.get(i).tell(new VolumeReplica.Cop2(updates, null));
            }
        }
    }
}

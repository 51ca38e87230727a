package dev.strand.actors.volume;

import dev.strand.actors.cluster.ReplicaAllocationStrategy;
import dev.strand.actors.cluster.ShardPerEntityExtractor;
import dev.strand.actors.fencing.LeaseClaim;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.actors.volume.VolumeReplica.*;
import dev.strand.persistence.ChunkStore;
import dev.strand.persistence.NodeLeases.Owner;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.time.Duration;

/**
 * The replica's {@link EventSourcedBehavior}: wires the {@link VolumeReplica} protocol to Pekko Persistence. It holds
 * the command-handler table (which command goes to which handler class), the event handler ({@link Volume#apply},
 * the only place the state changes), recovery and snapshots. The handlers live beside it by what they do:
 * {@link MutationCommands}, {@link ReplicaQueries}, {@link CatchUpCommands}, {@link ResolutionCommands},
 * {@link RepairCommands} and {@link BlobGarbage}, sharing {@link ReplicaScope}.
 */
final class ReplicaBehavior extends EventSourcedBehavior<Command, VolumeEvent, Volume> {

    /** The replica, once it claimed its persistence id under this node's lease ({@link LeaseClaim}). */
    static Behavior<Command> create(String entityId, ChunkStore chunks, VolumeSettings settings, NodeLease lease) {
        String persistenceId = persistenceId(entityId);
        return LeaseClaim.create(persistenceId, lease, waiting -> refuseWaiting(persistenceId, waiting),
                owner -> Behaviors.withTimers(timers -> Behaviors.setup(context -> {
                    // Pekko would name the replica's log after this class; operators know it as VolumeReplica's
                    context.setLoggerName(VolumeReplica.class);
                    return new ReplicaBehavior(context, timers, entityId, chunks, settings, lease, owner);
                })));
    }

    /** A command beyond the claim's stash: refused as by a replica that does not answer. */
    private static void refuseWaiting(String persistenceId, Object waiting) {
        if (waiting instanceof ExpectsAnswer asking && asking.replyTo() != null) {
            asking.replyTo().tell(new Result.Rejected(dev.strand.protocol.Status.UNAVAILABLE, persistenceId
                    + " is not available yet: it waits for an earlier incarnation's lease to end"));
        }
    }

    /**
     * The replica without its claim step, writing under {@code lease}'s current generation: for Pekko's
     * EventSourcedBehaviorTestKit, which must talk to the EventSourcedBehavior itself.
     */
    static Behavior<Command> createClaimed(String entityId, ChunkStore chunks, VolumeSettings settings,
                                           NodeLease lease) {
        Owner owner = java.util.Objects.requireNonNull(lease.current(), "the lease is not held");
        return Behaviors.withTimers(timers -> Behaviors.setup(context -> {
            context.setLoggerName(VolumeReplica.class);
            return new ReplicaBehavior(context, timers, entityId, chunks, settings, lease, owner);
        }));
    }

    static String persistenceId(String entityId) {
        return "volume-" + entityId;
    }

    /** Each replica its own shard, placed apart from its volume's other replicas (cluster package). */
    static void initSharding(ActorSystem<?> system, ChunkStore chunks, VolumeSettings settings, NodeLease lease) {
        ClusterSharding.get(system).init(Entity.of(VolumeReplica.ENTITY_TYPE_KEY,
                        entityContext -> create(entityContext.getEntityId(), chunks, settings, lease))
                .withMessageExtractor(new ShardPerEntityExtractor<Command>())
                .withAllocationStrategy(new ReplicaAllocationStrategy()));
    }

    // The command handlers, by what they do; none holds any of the volume's state (which is all in Volume).
    private final ReplicaScope scope;
    private final MutationCommands mutations;
    private final ReplicaQueries queries;
    private final CatchUpCommands catchUp;
    private final ResolutionCommands resolution;
    private final RepairCommands repairs;
    private final BlobGarbage garbage;
    // The claim this incarnation writes under: every command checks it, by the clock only (no round trip).
    private final NodeLease lease;
    private final Owner claim;

    private ReplicaBehavior(ActorContext<Command> context, TimerScheduler<Command> timers, String entityId,
                            ChunkStore chunks, VolumeSettings settings, NodeLease lease, Owner claim) {
        // A failed journal write or read restarts the replica with a backoff and recovers it from a clean replay:
        // Pekko hands the same emptyState() object to every recovery, so Volume never changes its empty state
        // (see Volume#apply), and nothing else of the state lives outside Volume.
        super(PersistenceId.ofUniqueId(persistenceId(entityId)),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.lease = lease;
        this.claim = claim;
        this.scope = new ReplicaScope(context, timers, entityId, chunks, settings, Effect());
        this.garbage = new BlobGarbage(scope);
        this.mutations = new MutationCommands(scope, garbage);
        this.queries = new ReplicaQueries(scope);
        this.catchUp = new CatchUpCommands(scope);
        this.resolution = new ResolutionCommands(scope);
        this.repairs = new RepairCommands(scope);
    }

    @Override
    public Volume emptyState() {
        return Volume.uninitialized(scope.settings.resolutionLogLimit());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(scope.settings.snapshotEvery(), scope.settings.snapshotsToKeep());
    }

    @Override
    public SnapshotAdapter<Volume> snapshotAdapter() {
        return new VolumeSnapshotAdapter(scope.settings.resolutionLogLimit());
    }

    @Override
    public SignalHandler<Volume> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), volume -> {
                    scope.timers.startTimerWithFixedDelay(new BlobGarbage.SweepTick(), scope.settings.sweepInterval());
                    scope.timers.startTimerWithFixedDelay(new MutationCommands.ExpireCop2Tick(),
                            mutations.cop2ExpiryCheckInterval());
                })
                .onSignal(PostStop.instance(), volume -> {
                    scope.metrics.replicaStopped(scope.entityId);
                    lease.releaseClaim(persistenceId(scope.entityId), claim);
                })
                .build();
    }

    // ---- commands ----------------------------------------------------------------------------

    @Override
    public CommandHandler<Command, VolumeEvent, Volume> commandHandler() {
        CommandHandlerBuilder<Command, VolumeEvent, Volume> builder = newCommandHandlerBuilder();

        builder.forState(volume -> !volume.isInitialized())
                .onCommand(Initialize.class, mutations::onInitialize)
                // every other command that expects an answer; timers are ignored (below)
                .onCommand(command -> command instanceof ExpectsAnswer,
                        command -> scope.noVolume(((ExpectsAnswer) command).replyTo()));

        builder.forState(Volume::isInitialized)
                .onCommand(Initialize.class, mutations::onInitializeAgain)
                .onCommand(Execute.class, mutations::onExecute)
                .onCommand(PrepareStore.class, queries::onPrepareStore)
                .onCommand(CommitStore.class, mutations::onCommitStore)
                .onCommand(VolumeReplica.CommitPut.class, mutations::onCommitPut)
                .onCommand(OpenForFetch.class, queries::onOpenForFetch)
                .onCommand(GetStats.class, queries::onGetStats)
                .onCommand(SweepBlobs.class, garbage::onSweepBlobs)
                .onCommand(BlobGarbage.SweepTick.class, (volume, command) -> garbage.onSweepTick(volume))
                .onCommand(Cop2.class, mutations::onCop2)
                .onCommand(MutationCommands.ExpireCop2Tick.class, mutations::onExpireCop2)
                .onCommand(Validate.class, queries::onValidate)
                .onCommand(CheckGroup.class, (volume, command) -> scope.reject(command.replyTo(),
                        new dev.strand.protocol.error.BadRequestException("replica " + scope.entityId
                                + " does not check its storage group: its coordinator does")))
                .onCommand(ListBlobReferences.class, garbage::onListBlobReferences)
                .onCommand(ListBlobReferencesPage.class, garbage::onListBlobReferencesPage)
                .onCommand(ListPendingOperationsPage.class, catchUp::onListPendingOperationsPage)
                .onCommand(ListVersions.class, catchUp::onListVersions)
                .onCommand(CompareVersions.class, catchUp::onCompareVersions)
                .onCommand(ReadVnodes.class, catchUp::onReadVnodes)
                .onCommand(ReadEntries.class, catchUp::onReadEntries)
                .onCommand(ReadRecentRequests.class, catchUp::onReadRecentRequests)
                .onCommand(ListPendingOperations.class, catchUp::onListPendingOperations)
                .onCommand(InstallVnodes.class, catchUp::onInstallVnodes)
                .onCommand(InstallEntries.class, catchUp::onInstallEntries)
                .onCommand(AdoptRecentRequests.class, catchUp::onAdoptRecentRequests)
                .onCommand(VolumeReplica.AdoptConflicts.class, catchUp::onAdoptConflicts)
                .onCommand(CompleteCatchUp.class, catchUp::onCompleteCatchUp)
                .onCommand(ReadResolutionLog.class, resolution::onReadLog)
                .onCommand(ReadResolutionImages.class, resolution::onReadImages)
                .onCommand(StageResolution.class, resolution::onStage)
                .onCommand(ApplyResolution.class, resolution::onApply)
                .onCommand(ForgetSettledLog.class, resolution::onForgetSettledLog)
                .onCommand(ListConflicts.class, repairs::onListConflicts)
                .onCommand(ReadObjectVersion.class, repairs::onReadObjectVersion)
                .onCommand(RepairObject.class, repairs::onRepairObject)
                .onCommand(RepairNames.class, repairs::onRepairNames)
                .onCommand(VolumeReplica.ReadSubtree.class, repairs::onReadSubtree)
                .onCommand(VolumeReplica.StageRepair.class, repairs::onStageRepair)
                .onCommand(RepairDir.class, (volume, command) -> scope.reject(command.replyTo(),
                        new dev.strand.protocol.error.BadRequestException("repairs go through the volume's coordinator")))
                .onCommand(RepairFile.class, (volume, command) -> scope.reject(command.replyTo(),
                        new dev.strand.protocol.error.BadRequestException("repairs go through the volume's coordinator")))
                .onCommand(BlobGarbage.BlobsListed.class, garbage::onBlobsListed)
                .onCommand(BlobGarbage.DeleteFreedBlob.class, garbage::onDeleteFreedBlob);

        builder.forAnyState()
                .onCommand(BlobGarbage.SweepFinished.class, garbage::onSweepFinished)
                .onCommand(BlobGarbage.FreedBlobDeleted.class, garbage::onFreedBlobDeleted)
                .onAnyCommand(command -> Effect().none()); // timers of an uninitialised replica

        CommandHandler<Command, VolumeEvent, Volume> handlers = builder.build();
        return (volume, command) -> lease.trusts(claim.generation()) ? handlers.apply(volume, command)
                : refuseUnfenced(command);
    }

    /**
     * This node no longer trusts the lease the claim was made under (the process was paused past it, or it was
     * lost): another incarnation may own the journal now. Nothing is persisted or acknowledged, reads are not
     * served (UNAVAILABLE, as a replica that cannot answer), and this incarnation stops; the next message starts
     * one that claims again.
     */
    private Effect<VolumeEvent, Volume> refuseUnfenced(Command command) {
        scope.context.getLog().warn("Replica {} stops: the lease of its claim ({}) is no longer trusted",
                scope.entityId, claim);
        if (command instanceof ExpectsAnswer asking && asking.replyTo() != null) {
            asking.replyTo().tell(new Result.Rejected(dev.strand.protocol.Status.UNAVAILABLE, "replica "
                    + scope.entityId + " on " + claim.nodeId() + " lost its lease; ask again"));
        }
        return Effect().stop();
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public EventHandler<Volume, VolumeEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(Volume::apply);
    }
}

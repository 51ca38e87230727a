package dev.strand.actors.registry;

import dev.strand.actors.CborSerializable;
import dev.strand.actors.fencing.LeaseClaim;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.persistence.NodeLeases.Owner;
import dev.strand.volume.FrameBudget;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.Names;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The cluster-wide volume registry (Coda's VLDB/VRDB): name -> id -> storage group. Event-sourced, one
 * instance (sharded entity {@link #ENTITY_ID}). Creating a volume persists it, then initialises its replicas.
 *
 * <p>Volume ids count from 1. A volume whose replica could not be initialised stays registered: the
 * create answers UNAVAILABLE, and the (idempotent) initialisation is sent again on {@link Lookup} and
 * when the registry recovers, until the replica confirms it.
 *
 * <p>Creating is safe to retry: the event records the creating request's (client id, request id), and the
 * same pair again for that name is answered as the first attempt succeeded (or would have: a volume whose
 * replicas are not confirmed yet is initialised again). Anyone else creating a taken name gets VOLUME_EXISTS.
 *
 * <p>Fenced like a replica (docs/architecture.md, "Fencing the writers"): an incarnation claims the persistence id
 * under this node's lease before it recovers ({@link LeaseClaim}), and writes or answers only while the lease of
 * that claim is trusted, so a paused node's old incarnation never persists beside the new one (operation ids it
 * leased could repeat).
 */
public final class VolumeRegistry extends EventSourcedBehavior<VolumeRegistry.Command, RegistryEvent, RegistryState> {

    public static final String ENTITY_ID = "registry";

    static final String PERSISTENCE_ID = "volume-registry";

    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
            EntityTypeKey.create(Command.class, "VolumeRegistry");

    public sealed interface Command extends CborSerializable {
        /** Where the answer goes (null: nobody waits). */
        ActorRef<Result> replyTo();
    }

    /** The most replicas a storage group may have. */
    public static final int MAX_REPLICAS = 5;

    /**
     * Answers {@link Result.Volume} or {@link Result.Rejected} (VOLUME_EXISTS, BAD_VOLUME_NAME, ...).
     * {@code replicas}: 1..{@link #MAX_REPLICAS}; {@code minReplicas}: see {@link MinReplicas} (null: "1").
     * {@code clientId} and {@code requestId} identify the client's VOLUME_CREATE (null: unknown, from older
     * nodes or clients without a client id): the same pair again, for a volume this request created, is a
     * retry and is answered with the same success instead of VOLUME_EXISTS.
     */
    public record CreateVolume(String name, int replicas, ActorRef<Result> replyTo, String minReplicas,
                               String clientId, Long requestId) implements Command {
        public CreateVolume(String name, int replicas, ActorRef<Result> replyTo) {
            this(name, replicas, replyTo, null);
        }

        public CreateVolume(String name, int replicas, ActorRef<Result> replyTo, String minReplicas) {
            this(name, replicas, replyTo, minReplicas, null, null);
        }

        /** The client's request, or null when not identified. */
        RegistryState.CreateRequest request() {
            return clientId == null || requestId == null ? null : new RegistryState.CreateRequest(clientId, requestId);
        }
    }

    /** Answers {@link Result.Volume} or {@link Result.Rejected} (NO_SUCH_VOLUME): the volume with this id. */
    public record LookupId(long volumeId, ActorRef<Result> replyTo) implements Command {}

    /** Answers {@link Result.Volume} or {@link Result.Rejected} (NO_SUCH_VOLUME). */
    public record Lookup(String name, ActorRef<Result> replyTo) implements Command {}

    /**
     * Answers {@link Result.Volumes}, in name order, if they fit in one message (else UNAVAILABLE). Sent by nodes
     * of the previous release; this one pages ({@link ListVolumesPage}).
     */
    public record ListVolumes(ActorRef<Result> replyTo) implements Command {}

    /**
     * A coordinator asks for operation ids no one had before (see {@link OperationIds}); answers
     * {@link Result.OperationIdLease} once the lease is persisted, or {@link Result.Rejected}.
     */
    public record LeaseOperationIds(ActorRef<Result> replyTo) implements Command {}

    /** Answers {@link Result.VolumesPage}: the volumes named after {@code after} (null: from the first), in name order. */
    public record ListVolumesPage(String after, ActorRef<Result> replyTo) implements Command {}

    /** A replica's answer to Initialize (or the ask's failure); {@code replyTo} may be null. */
    private record InitializeAnswered(VolumeRecord volume, VolumeReplica.Result result, Throwable failure,
                                      ActorRef<Result> replyTo)
            implements Command, NoSerializationVerificationNeeded {}

    /**
     * A volume's registry record. {@code replicaEntityIds} in storage-group order (the index is the
     * replica's version-vector slot). {@code minReplicas} is absent (null) in records older than
     * replicated volumes, and means "1".
     */
    public record VolumeRecord(long id, String name, int replicas, long createdMillis,
                               List<String> replicaEntityIds, String minReplicas) implements CborSerializable {
        public VolumeRecord(long id, String name, int replicas, long createdMillis, List<String> replicaEntityIds) {
            this(id, name, replicas, createdMillis, replicaEntityIds, null);
        }

        /** How many replicas must apply a mutation (COP1) before the client hears it succeeded. */
        public int requiredReplicas() {
            return MinReplicas.required(minReplicas, replicas);
        }

        /** The setting as shown to users: "1" or "majority". */
        public String minReplicasSetting() {
            return minReplicas == null ? MinReplicas.ONE : minReplicas;
        }
    }

    public sealed interface Result extends CborSerializable {
        record Volume(VolumeRecord volume) implements Result {}

        record Volumes(List<VolumeRecord> volumes) implements Result {}

        /** One page of volumes, cut to fit one message; {@code last}: none follow. */
        record VolumesPage(List<VolumeRecord> volumes, boolean last) implements Result {}

        record Rejected(Status status, String message) implements Result {}

        /** Operation ids {@code first} to {@code first + count - 1} are this coordinator's alone. */
        record OperationIdLease(long first, long count) implements Result {}
    }

    // ---- creation ----------------------------------------------------------------------------

    /**
     * @param replicas          where a replica entity id's commands go (Cluster Sharding in production)
     * @param initializeTimeout how long to wait for a replica to confirm Initialize
     * @param lease             this node's lease, under which the registry claims its journal and writes
     */
    public static Behavior<Command> create(Function<String, RecipientRef<VolumeReplica.Command>> replicas,
                                           Duration initializeTimeout, NodeLease lease) {
        return LeaseClaim.create(PERSISTENCE_ID, lease, VolumeRegistry::refuseWaiting, owner -> Behaviors.setup(
                context -> new VolumeRegistry(context, replicas, initializeTimeout, lease, owner)));
    }

    /**
     * Registers the registry with Cluster Sharding on this node, fenced by the node's lease; replicas are reached
     * through sharding too.
     */
    public static void init(ActorSystem<?> system, NodeLease lease) {
        ClusterSharding sharding = ClusterSharding.get(system);
        Duration timeout = system.settings().config().getDuration("strand.registry.initialize-timeout");
        sharding.init(Entity.of(ENTITY_TYPE_KEY, entityContext -> create(
                entityId -> sharding.entityRefFor(VolumeReplica.ENTITY_TYPE_KEY, entityId), timeout, lease)));
    }

    /** A command beyond the claim's stash: refused as by a registry that does not answer. */
    private static void refuseWaiting(Object waiting) {
        if (waiting instanceof Command command && command.replyTo() != null) {
            command.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "the volume registry is not available "
                    + "yet: it waits for an earlier incarnation's lease to end; try again later"));
        }
    }

    /** The registry, wherever in the cluster it runs. */
    public static EntityRef<Command> entityRef(ActorSystem<?> system) {
        return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, ENTITY_ID);
    }

    private final ActorContext<Command> context;
    private final Function<String, RecipientRef<VolumeReplica.Command>> replicas;
    private final Duration initializeTimeout;
    /** How large the answers to other nodes may be. */
    private final FrameBudget frames;
    // The claim this incarnation writes under: every command checks it, by the clock only (no round trip).
    private final NodeLease lease;
    private final Owner claim;

    private VolumeRegistry(ActorContext<Command> context, Function<String, RecipientRef<VolumeReplica.Command>> replicas,
                           Duration initializeTimeout, NodeLease lease, Owner claim) {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.context = context;
        this.replicas = replicas;
        this.initializeTimeout = initializeTimeout;
        this.frames = FrameBudget.of(context.getSystem().settings().config());
        this.lease = lease;
        this.claim = claim;
    }

    @Override
    public RegistryState emptyState() {
        return RegistryState.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(1000, 2);
    }

    /** Volumes whose replicas never confirmed initialisation get it again. */
    @Override
    public SignalHandler<RegistryState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    for (VolumeRecord volume : state.volumes()) {
                        if (!state.isInitialized(volume.id())) {
                            initializeReplicas(volume, null);
                        }
                    }
                })
                // its next incarnation elsewhere (a hand-off) need not wait for this node's lease to end
                .onSignal(PostStop.instance(), state -> lease.releaseClaim(PERSISTENCE_ID, claim))
                .build();
    }

    @Override
    public CommandHandler<Command, RegistryEvent, RegistryState> commandHandler() {
        CommandHandlerBuilder<Command, RegistryEvent, RegistryState> builder = newCommandHandlerBuilder();
        builder.forAnyState()
                .onCommand(CreateVolume.class, this::onCreateVolume)
                .onCommand(Lookup.class, this::onLookup)
                .onCommand(LookupId.class, this::onLookupId)
                .onCommand(ListVolumes.class, this::onListVolumes)
                .onCommand(LeaseOperationIds.class, this::onLeaseOperationIds)
                .onCommand(ListVolumesPage.class, this::onListVolumesPage)
                .onCommand(InitializeAnswered.class, this::onInitializeAnswered);
        CommandHandler<Command, RegistryEvent, RegistryState> handlers = builder.build();
        return (state, command) -> lease.trusts(claim.generation()) ? handlers.apply(state, command)
                : refuseUnfenced(command);
    }

    /**
     * This node no longer trusts the lease the claim was made under (the process was paused past it, or it was
     * lost): another incarnation may own the journal now. Nothing is persisted or answered but UNAVAILABLE (no
     * operation ids leased, no volume created), and this incarnation stops; the next message starts one that
     * claims again.
     */
    private Effect<RegistryEvent, RegistryState> refuseUnfenced(Command command) {
        context.getLog().warn("The volume registry stops: the lease of its claim ({}) is no longer trusted", claim);
        reply(command.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "the volume registry on " + claim.nodeId()
                + " lost its lease; try again"));
        return Effect().stop();
    }

    private Effect<RegistryEvent, RegistryState> onCreateVolume(RegistryState state, CreateVolume command) {
        try {
            Names.checkVolumeName(command.name());
            if (command.replicas() < 1 || command.replicas() > MAX_REPLICAS) {
                throw Status.INVALID_ARGUMENT.exception("a volume has 1 to " + MAX_REPLICAS + " replicas, not "
                        + command.replicas());
            }
            MinReplicas.check(command.minReplicas());
            VolumeRecord existing = state.volume(command.name());
            if (existing != null && state.wasCreatedBy(command.name(), command.request())) {
                // the client sent its create again (it lost the connection before the answer): same success
                return answerExisting(state, existing, command.replyTo());
            }
            if (existing != null) {
                throw Status.VOLUME_EXISTS.exception("volume '" + command.name() + "' already exists");
            }
        } catch (StrandException e) {
            command.replyTo().tell(new Result.Rejected(e.status(), e.getMessage()));
            return Effect().none();
        }
        long id = state.nextId();
        List<String> group = new java.util.ArrayList<>();
        for (int r = 0; r < command.replicas(); r++) {
            group.add(VolumeReplica.entityId(id, r));
        }
        VolumeRecord volume = new VolumeRecord(id, command.name(), command.replicas(), System.currentTimeMillis(),
                List.copyOf(group), MinReplicas.normalize(command.minReplicas()));
        return Effect().persist(new RegistryEvent.VolumeCreated(volume, command.clientId(), command.requestId()))
                .thenRun(after -> initializeReplicas(volume, command.replyTo()));
    }

    private Effect<RegistryEvent, RegistryState> onLookup(RegistryState state, Lookup command) {
        VolumeRecord volume = state.volume(command.name());
        if (volume == null) {
            command.replyTo().tell(new Result.Rejected(Status.NO_SUCH_VOLUME,
                    "no volume named '" + command.name() + "'"));
            return Effect().none();
        }
        return answerExisting(state, volume, command.replyTo());
    }

    /** The volume's record, once its replicas confirmed initialisation (sent again if they never did). */
    private Effect<RegistryEvent, RegistryState> answerExisting(RegistryState state, VolumeRecord volume,
                                                               ActorRef<Result> replyTo) {
        if (state.isInitialized(volume.id())) {
            replyTo.tell(new Result.Volume(volume));
        } else {
            initializeReplicas(volume, replyTo);
        }
        return Effect().none();
    }

    private Effect<RegistryEvent, RegistryState> onLookupId(RegistryState state, LookupId command) {
        VolumeRecord volume = state.volumes().stream().filter(v -> v.id() == command.volumeId()).findFirst()
                .orElse(null);
        if (volume == null) {
            command.replyTo().tell(new Result.Rejected(Status.NO_SUCH_VOLUME, "no volume with id " + command.volumeId()));
        } else {
            command.replyTo().tell(new Result.Volume(volume));
        }
        return Effect().none();
    }

    private Effect<RegistryEvent, RegistryState> onListVolumes(RegistryState state, ListVolumes command) {
        VolumesPage all = VolumesPage.after(state.volumes(), null, frames.pageBytes());
        if (!all.last()) {
            command.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, state.volumes().size()
                    + " volumes are too many to list in one message; ask for pages"));
        } else {
            command.replyTo().tell(new Result.Volumes(all.volumes()));
        }
        return Effect().none();
    }

    private Effect<RegistryEvent, RegistryState> onListVolumesPage(RegistryState state, ListVolumesPage command) {
        VolumesPage page = VolumesPage.after(state.volumes(), command.after(), frames.pageBytes());
        command.replyTo().tell(new Result.VolumesPage(page.volumes(), page.last()));
        return Effect().none();
    }

    private Effect<RegistryEvent, RegistryState> onLeaseOperationIds(RegistryState state, LeaseOperationIds command) {
        long first;
        try {
            first = OperationIds.leaseAfter(state.nextOperationId());
        } catch (IllegalStateException e) {
            command.replyTo().tell(new Result.Rejected(Status.INTERNAL, e.getMessage()));
            return Effect().none();
        }
        return Effect().persist(new RegistryEvent.OperationIdsLeased(first, OperationIds.LEASE_SIZE))
                .thenRun(after -> command.replyTo().tell(new Result.OperationIdLease(first,
                        OperationIds.LEASE_SIZE)));
    }

    /**
     * Sends Initialize (idempotent) to every replica of the storage group; the combined answer (Done
     * once all confirmed, else the first refusal or failure) comes back as {@link InitializeAnswered}.
     */
    private void initializeReplicas(VolumeRecord volume, ActorRef<Result> replyTo) {
        List<CompletableFuture<VolumeReplica.Result>> answers = new java.util.ArrayList<>();
        for (String entityId : volume.replicaEntityIds()) {
            RecipientRef<VolumeReplica.Command> replica = replicas.apply(entityId);
            answers.add(AskPattern.<VolumeReplica.Command, VolumeReplica.Result>ask(replica,
                    ref -> new VolumeReplica.Initialize(volume.id(), volume.name(), volume.createdMillis(), ref,
                            volume.replicas()),
                    initializeTimeout, context.getSystem().scheduler()).toCompletableFuture());
        }
        CompletableFuture<VolumeReplica.Result> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> answers.stream().map(CompletableFuture::join)
                        .filter(r -> !(r instanceof VolumeReplica.Result.Done)).findFirst()
                        .orElse(answers.get(0).join()));
        context.pipeToSelf(all, (result, failure) -> new InitializeAnswered(volume, result,
                failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure, replyTo));
    }

    private Effect<RegistryEvent, RegistryState> onInitializeAnswered(RegistryState state, InitializeAnswered answer) {
        VolumeRecord volume = answer.volume();
        if (answer.result() instanceof VolumeReplica.Result.Done) {
            if (state.isInitialized(volume.id())) {
                reply(answer.replyTo(), new Result.Volume(volume));
                return Effect().none();
            }
            return Effect().persist(new RegistryEvent.ReplicasInitialized(volume.id()))
                    .thenRun(after -> reply(answer.replyTo(), new Result.Volume(volume)));
        }
        String reason = answer.failure() != null ? answer.failure().toString()
                : answer.result() instanceof VolumeReplica.Result.Rejected rejected
                ? rejected.status() + ": " + rejected.message() : String.valueOf(answer.result());
        context.getLog().warn("A replica of volume '{}' (id {}) did not initialise: {}", volume.name(), volume.id(),
                reason);
        reply(answer.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "volume '" + volume.name() + "' (id "
                + volume.id() + ") is registered but not all its replicas are ready (" + reason + "); try again later"));
        return Effect().none();
    }

    private static void reply(ActorRef<Result> replyTo, Result result) {
        if (replyTo != null) {
            replyTo.tell(result);
        }
    }

    @Override
    public EventHandler<RegistryState, RegistryEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(RegistryState::apply);
    }
}

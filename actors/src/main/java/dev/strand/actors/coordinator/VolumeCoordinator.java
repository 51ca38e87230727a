package dev.strand.actors.coordinator;

import dev.strand.volume.FrameBudget;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.volume.Mutation;
import dev.strand.volume.Origin;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.conflictrepair.resolution.ResolutionCoordinator;
import dev.strand.cop2.OperationIds;
import dev.strand.cop2.OperationPipeline;
import dev.strand.metrics.StrandMetrics;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Status;
import dev.strand.replication.StorageGroup;
import dev.strand.replication.VersionVector;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The coordinator of one volume's storage group: a sharded, non-persistent entity (type
 * "VolumeCoordinator", id = the volume id) that every request for the volume goes through. It speaks the
 * replicas' own protocol ({@link VolumeReplica.Command}), so a connection does not care whether it talks
 * to a replica or to the coordinator. This class is the Pekko side: which message leads to which decision
 * and which messages go out. The decisions live in pure classes: {@link OperationPipeline} (cop2: COP1,
 * answers, update sets), {@link StorageGroup} and {@code CatchUpPlanner} (replication: who is behind, who
 * catches up from whom), {@link OperationIds} (ids no one had before).
 *
 * <ul>
 *   <li>Mutations ({@code Execute} of a namespace mutation, {@code CommitStore}) go through the pipeline, in
 *       arrival order, each with a fresh operation id, to every replica that is not behind (COP1); the
 *       coordinator waits at most {@code strand.coordinator.replica-timeout} for each. With fewer than
 *       min-replicas replicas available the change is refused (UNAVAILABLE) before COP1; if fewer than
 *       min-replicas applied it, the answer is UNDER_REPLICATED (it was applied); with no answer at all,
 *       TIMEOUT; otherwise the first replica's answer. COP2: the update set goes to the replicas that
 *       applied the operation, piggybacked on their next COP1 or on its own after
 *       {@code strand.coordinator.cop2-flush-delay} ({@link Mutations}).</li>
 *   <li>Reads ({@code Execute} of a read, {@code PrepareStore}, {@code OpenForFetch}) go to one available
 *       replica, the next one if it does not answer ({@link ReadRouting}).</li>
 *   <li>{@code GetStats}, {@code Validate} and the blob sweep ask every replica ({@link GroupQueries}); every
 *       list that crosses nodes comes in pages that fit one message ({@link FrameBudget}).</li>
 *   <li>A replica that is behind is caught up ({@link CatchUps}).</li>
 *   <li>{@code strand repair}'s requests ask every replica ({@link Repairs}).</li>
 * </ul>
 * On start it learns the storage group (replica entity ids, min-replicas) from the registry, leases
 * operation ids from it, and judges the replicas by their volume vectors; requests wait meanwhile.
 */
public final class VolumeCoordinator {

    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
            EntityTypeKey.create(Command.class, "VolumeCoordinator");

    /**
     * @param replicaTimeout  how long to wait for each replica's answer
     * @param cop2FlushDelay  how long an update set waits for a COP1 message to ride on
     * @param sweepInterval   how often a volume of several replicas is swept for unreferenced blobs
     * @param idleBlobAge     how long a blob must be untouched before the sweep deletes it
     * @param scrubInterval   how often a volume of several replicas compares its replicas' volume vectors
     * @param readCheckInterval at most how often a read's object is compared at every replica ({@link ReadChecks};
     *                        zero: never)
     */
    public record Settings(Duration replicaTimeout, Duration cop2FlushDelay, Duration sweepInterval,
                           Duration idleBlobAge, Duration scrubInterval, Duration readCheckInterval) {
        /** Without a scrubber or read checks to speak of (tests that do not look at them). */
        public Settings(Duration replicaTimeout, Duration cop2FlushDelay, Duration sweepInterval, Duration idleBlobAge) {
            this(replicaTimeout, cop2FlushDelay, sweepInterval, idleBlobAge, Duration.ofHours(1), Duration.ZERO);
        }

        /** Without read checks (tests that do not look at them). */
        public Settings(Duration replicaTimeout, Duration cop2FlushDelay, Duration sweepInterval, Duration idleBlobAge,
                        Duration scrubInterval) {
            this(replicaTimeout, cop2FlushDelay, sweepInterval, idleBlobAge, scrubInterval, Duration.ZERO);
        }

        public static Settings of(ActorSystem<?> system) {
            var config = system.settings().config();
            VolumeSettings volume = VolumeSettings.of(system);
            return new Settings(config.getDuration("strand.coordinator.replica-timeout"),
                    config.getDuration("strand.coordinator.cop2-flush-delay"), volume.sweepInterval(),
                    volume.idleBlobAge(), config.getDuration("strand.volume.scrub-interval"),
                    config.getDuration("strand.coordinator.read-check-interval"));
        }
    }

    // ---- internal messages (never sent between nodes) -------------------------------------------

    private record GroupLooked(VolumeRegistry.Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    /** The registry's answer to a request for operation ids. */
    private record IdsLeased(VolumeRegistry.Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    /** Every replica's answer (a Result, or null if it did not answer), handed to {@code then}. */
    record Gathered(List<Result> answers, Consumer<List<Result>> then) implements NoSerializationVerificationNeeded {}

    /** Each replica's blob references (null where a replica did not list them all). */
    record ReferencesListed(List<Set<UUID>> perReplica, ActorRef<Result> replyTo)
            implements NoSerializationVerificationNeeded {}

    record BlobsListed(List<ChunkStore.BlobRecord> blobs, Set<UUID> referenced, Throwable failure,
                       ActorRef<Result> replyTo) implements NoSerializationVerificationNeeded {}

    record SweepFinished(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo)
            implements NoSerializationVerificationNeeded {}

    enum Tick implements NoSerializationVerificationNeeded { FLUSH_COP2, SWEEP, SCRUB, SETTLE_COP2 }

    /** START: the update sets the replicas still waited for are applied (or not); now they are judged. */
    enum StartSettled implements NoSerializationVerificationNeeded { INSTANCE }

    /** CATCH-UP: a round for replica {@code target} ended ({@code failure} null if it went through). */
    record CatchUpRoundFinished(int target, boolean complete, ReplicaCatchUp.Outcome outcome, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    /** CATCH-UP: the target's operations waiting for COP2 (or why not), for its look number {@code look}. */
    record PendingChecked(int target, long look, int source, VersionVector targetVector, VersionVector sourceVector,
                          Result pending, Throwable failure) implements NoSerializationVerificationNeeded {}

    /** CATCH-UP: time to try replica {@code target} again. */
    record RetryCatchUp(int target) implements NoSerializationVerificationNeeded {}

    // ---- creation -------------------------------------------------------------------------------

    /**
     * @param replicas where a replica entity id's commands go (Cluster Sharding in production)
     * @param registry the volume registry
     */
    public static Behavior<Command> create(long volumeId, Function<String, RecipientRef<Command>> replicas,
                                           RecipientRef<VolumeRegistry.Command> registry, ChunkStore chunks,
                                           Settings settings) {
        Behavior<Object> behavior = Behaviors.withTimers(timers -> Behaviors.withStash(10_000,
                stash -> Behaviors.setup(context -> new VolumeCoordinator(context, timers, stash, volumeId, replicas,
                        registry, chunks, settings).unknownGroup())));
        return behavior.narrow();
    }

    /** Registers the entity type with Cluster Sharding on this node. */
    public static void init(ActorSystem<?> system, ChunkStore chunks) {
        ClusterSharding sharding = ClusterSharding.get(system);
        Settings settings = Settings.of(system);
        sharding.init(Entity.of(ENTITY_TYPE_KEY, entityContext -> create(Long.parseLong(entityContext.getEntityId()),
                entityId -> sharding.entityRefFor(VolumeReplica.ENTITY_TYPE_KEY, entityId),
                sharding.entityRefFor(VolumeRegistry.ENTITY_TYPE_KEY, VolumeRegistry.ENTITY_ID), chunks, settings)));
    }

    /** The coordinator of a volume, wherever in the cluster it runs. */
    public static RecipientRef<Command> entityRef(ActorSystem<?> system, long volumeId) {
        return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, Long.toString(volumeId));
    }

    private final ActorContext<Object> context;
    private final TimerScheduler<Object> timers;
    private final StashBuffer<Object> stash;
    private final long volumeId;
    private final Function<String, RecipientRef<Command>> replicaRefs;
    private final RecipientRef<VolumeRegistry.Command> registry;
    private final ChunkStore chunks;
    private final Settings settings;
    private final StrandMetrics metrics;
    /** How large the messages to other nodes may be. */
    private final FrameBudget frames;
    /** Leased from the registry: never repeated, whichever node this coordinator runs on (see OperationIds). */
    private final OperationIds opIds = new OperationIds();
    private boolean leaseAsked;
    /**
     * Until when a starting coordinator asks again instead of refusing what waits: the registry or the replicas may
     * be recovering (a failover, a restart of the whole cluster), and a request should wait for that, not fail.
     */
    private final long startDeadlineNanos = System.nanoTime() + START_WAIT.toNanos();

    /** How long a starting coordinator keeps asking a registry or replicas that do not answer yet. */
    static final Duration START_WAIT = Duration.ofSeconds(30);

    // once the storage group is known
    private VolumeRegistry.VolumeRecord volume;
    private List<RecipientRef<Command>> replicas = List.of();
    private StorageGroup group;
    private Mutations mutations;
    private GroupAsks asks;
    /** Who holds mutations paused for a quiet moment (a check, a resolution, a last round, a repair). */
    private MutationHold hold;
    private GroupQueries queries;
    /** Looks at the group again while the coordinator runs (scrubber, VALIDATE, repair check). */
    private Detection detection;
    /** Update sets a replica still waits for after a quiet spell are sent again. */
    private Cop2Settling settling;
    private ReadRouting reads;
    /** After reads, sampled: is the object read equal at every replica? */
    private ReadChecks readChecks;
    private CatchUps catchUps;
    private Repairs repairs;

    private VolumeCoordinator(ActorContext<Object> context, TimerScheduler<Object> timers, StashBuffer<Object> stash,
                              long volumeId, Function<String, RecipientRef<Command>> replicaRefs,
                              RecipientRef<VolumeRegistry.Command> registry, ChunkStore chunks, Settings settings) {
        this.context = context;
        this.timers = timers;
        this.stash = stash;
        this.volumeId = volumeId;
        this.replicaRefs = replicaRefs;
        this.registry = registry;
        this.chunks = chunks;
        this.settings = settings;
        this.metrics = StrandMetrics.get(context.getSystem());
        this.frames = FrameBudget.of(context.getSystem().settings().config());
        context.setLoggerName(VolumeCoordinator.class); // not the generic ActorCell: operators filter by it
    }

    // ---- starting: the storage group, operation ids, the replicas' vectors ------------------------------

    /** Stashes requests until the registry names the storage group. */
    private Behavior<Object> unknownGroup() {
        context.ask(VolumeRegistry.Result.class, registry, settings.replicaTimeout(),
                ref -> new VolumeRegistry.LookupId(volumeId, ref), GroupLooked::new);
        return Behaviors.receive(Object.class)
                .onMessage(GroupLooked.class, this::onGroupLooked)
                .onAnyMessage(this::stashOrRefuse)
                .build();
    }

    private Behavior<Object> onGroupLooked(GroupLooked looked) {
        if (looked.result() instanceof VolumeRegistry.Result.Volume found) {
            volume = found.volume();
            askForIds();
            return Behaviors.receive(Object.class)
                    .onMessage(IdsLeased.class, leased -> {
                        if (onIdsLeased(leased)) {
                            return groupKnown();
                        }
                        if (leased.failure() != null && starting()) {
                            askForIds(); // the registry is still recovering: ask again
                            return Behaviors.same();
                        }
                        return refuseStashed(leased.result(), leased.failure());
                    })
                    .onAnyMessage(this::stashOrRefuse)
                    .build();
        }
        if (looked.failure() != null && starting()) {
            return unknownGroup(); // no answer yet (the registry recovers or moves): ask again, requests wait
        }
        return refuseStashed(looked.result(), looked.failure());
    }

    /** Whether the coordinator is still within its start's wait for a registry and replicas that recover. */
    private boolean starting() {
        return System.nanoTime() - startDeadlineNanos < 0;
    }

    private void askForIds() {
        leaseAsked = true;
        context.ask(VolumeRegistry.Result.class, registry, settings.replicaTimeout(),
                VolumeRegistry.LeaseOperationIds::new, IdsLeased::new);
    }

    /** Takes the lease in; false if the registry gave none. */
    private boolean onIdsLeased(IdsLeased leased) {
        leaseAsked = false;
        if (leased.result() instanceof VolumeRegistry.Result.OperationIdLease lease) {
            opIds.lease(lease.first(), lease.count());
            return true;
        }
        context.getLog().warn("The registry leased no operation ids to the coordinator of volume {}: {}", volumeId,
                leased.failure() != null ? leased.failure().toString() : leased.result());
        return false;
    }

    private Behavior<Object> stashOrRefuse(Object message) {
        if (stash.isFull()) {
            replyRejected(message, Status.UNAVAILABLE, "volume " + volumeId + " is overloaded");
        } else {
            stash.stash(message);
        }
        return Behaviors.same();
    }

    /** The storage group and the first ids are known: judge the replicas by their vectors (several) or serve. */
    private Behavior<Object> groupKnown() {
        replicas = volume.replicaEntityIds().stream().map(replicaRefs).toList();
        group = new StorageGroup(replicas.size());
        mutations = new Mutations(context, timers, volumeId, volume, replicas, group, opIds, settings, () -> {
            if (opIds.wantsLease() && !leaseAsked) {
                askForIds();
            }
        }, i -> catchUps.schedule(i), () -> {
            hold.afterOperation();
            settling.afterOperation();
        });
        var pipeline = mutations.pipeline();
        asks = new GroupAsks(context, replicas, group, settings.replicaTimeout());
        readChecks = new ReadChecks(replicas.size() > 1 ? settings.readCheckInterval() : Duration.ZERO,
                () -> pipeline.idle() && !pipeline.anyUnsent() && hold.holder() == null,
                (fid, done) -> queries.validate(fid, "a read's check", answer -> done.run()), System::nanoTime);
        reads = new ReadRouting(context, replicas, group, volume.name(), settings.replicaTimeout(),
                () -> catchUps.resolving(), readChecks::afterRead);
        hold = new MutationHold(context, timers, volumeId, pipeline, asks, () -> {
            mutations.startNext();
            reads.releaseParked(); // a resolution (or another pause) ended
        });
        catchUps = new CatchUps(context, timers, volumeId, replicas, group, pipeline, asks, settings.replicaTimeout(),
                hold);
        queries = new GroupQueries(context, asks, group, volume, chunks, settings.idleBlobAge(), catchUps::catchingUp,
                frames);
        detection = new Detection(context, volumeId, replicas, group, pipeline, asks, hold, catchUps::scheduleNow);
        queries.onDisagreement(who -> detection.check(who + " saw unequal versions", null));
        settling = new Cop2Settling(context, volumeId, timers, replicas, group, pipeline, asks);
        repairs = new Repairs(context, asks, volume, hold);
        context.getLog().info("Coordinator of volume {} serves replicas {}", volumeId, volume.replicaEntityIds());
        for (int i = 0; i < replicas.size(); i++) {
            metrics.replicaState(volumeId, i, group.state(i, false).label());
        }
        if (replicas.size() == 1) {
            return stash.unstashAll(known());
        }
        timers.startTimerWithFixedDelay(Tick.SWEEP, settings.sweepInterval());
        timers.startTimerWithFixedDelay(Tick.SCRUB, settings.scrubInterval());
        // the update sets an earlier coordinator left unsent first: replicas that applied the same operations are
        // then equal, not concurrent
        context.pipeToSelf(settling.atStart(settings.replicaTimeout(), context.getSystem().scheduler()),
                (ok, failure) -> StartSettled.INSTANCE);
        return Behaviors.receive(Object.class)
                .onMessageEquals(StartSettled.INSTANCE, () -> {
                    gatherAtStart();
                    return Behaviors.same();
                })
                .onMessage(Gathered.class, gathered -> {
                    if (gathered.answers().stream().allMatch(java.util.Objects::isNull) && starting()) {
                        gatherAtStart(); // no replica answered yet (recovering, or placed again): requests wait
                        return Behaviors.same();
                    }
                    gathered.then().accept(gathered.answers());
                    return stash.unstashAll(known());
                })
                .onAnyMessage(this::stashOrRefuse)
                .build();
    }

    /** START: every replica's vector, to judge them by. */
    private void gatherAtStart() {
        asks.gather(VolumeReplica.GetStats::new, answers -> {
            List<VersionVector> vectors = GroupAsks.volumeVectors(answers);
            catchUps.behindAtStart(group.judge(vectors), vectors);
        });
    }

    /** No such volume (or the registry did not answer): refuse what waits, look again on the next request. */
    private Behavior<Object> refuseStashed(VolumeRegistry.Result result, Throwable failure) {
        String problem = result instanceof VolumeRegistry.Result.Rejected r ? r.message()
                : "the volume registry did not answer: " + failure;
        Status status = result instanceof VolumeRegistry.Result.Rejected r ? r.status() : Status.UNAVAILABLE;
        String text = status == Status.NO_SUCH_VOLUME ? "volume " + volumeId + " does not exist" : problem;
        stash.forEach(message -> replyRejected(message, status, text));
        stash.clear();
        return Behaviors.receive(Object.class)
                .onMessage(GroupLooked.class, looked -> Behaviors.same())
                .onMessage(IdsLeased.class, leased -> Behaviors.same())
                .onAnyMessage(message -> {
                    stash.stash(message);
                    return unknownGroup();
                })
                .build();
    }

    // ---- serving ------------------------------------------------------------------------------------

    private Behavior<Object> known() {
        return Behaviors.receive(Object.class)
                .onMessage(VolumeReplica.Execute.class, execute -> {
                    if (isMutation(execute)) {
                        mutations.enqueue(execute, execute.replyTo());
                    } else {
                        reads.read(new ReadRouting.Read(execute::withReplyTo, execute.replyTo()));
                    }
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.CommitStore.class, commit -> {
                    mutations.enqueue(commit, commit.replyTo());
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.CommitPut.class, put -> {
                    mutations.enqueue(put, put.replyTo());
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.PrepareStore.class, prepare -> {
                    reads.read(new ReadRouting.Read(r -> new VolumeReplica.PrepareStore(prepare.fid(), r), prepare.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.OpenForFetch.class, open -> {
                    reads.read(new ReadRouting.Read(r -> new VolumeReplica.OpenForFetch(open.fid(), r), open.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.GetStats.class, stats -> then(() -> queries.stats(stats)))
                .onMessage(VolumeReplica.Validate.class, validate -> then(() -> queries.validate(validate)))
                .onMessage(VolumeReplica.CheckGroup.class, check -> then(() -> checkGroup(check)))
                .onMessageEquals(Tick.SCRUB, () -> then(() -> detection.check("the scrubber", null)))
                .onMessageEquals(Tick.SETTLE_COP2, () -> then(() -> settling.onQuiet()))
                .onMessage(Cop2Settling.PendingListed.class, listed -> then(() -> settling.onListed(listed)))
                .onMessage(VolumeReplica.ListConflicts.class, list -> then(() -> repairs.list(list)))
                .onMessage(VolumeReplica.ReadObjectVersion.class, show -> then(() -> repairs.show(show)))
                .onMessage(VolumeReplica.RepairFile.class, repair -> then(() -> repairs.repairFile(repair)))
                .onMessage(VolumeReplica.RepairDir.class, repair -> then(() -> repairs.repairDir(repair)))
                .onMessage(VolumeReplica.SweepBlobs.class, sweep -> then(() -> {
                    if (replicas.size() == 1) {
                        replicas.get(0).tell(sweep); // one replica sweeps itself
                    } else {
                        queries.startSweep(sweep.replyTo());
                    }
                }))
                .onMessage(Mutations.Cop1Answered.class, answered -> then(() -> mutations.onCop1Answered(answered)))
                .onMessage(ReadRouting.ReadAnswered.class, answered -> then(() -> reads.onReadAnswered(answered)))
                .onMessage(ReadRouting.ParkExpired.class, expired -> then(() -> reads.onParkExpired(expired)))
                .onMessage(Gathered.class, gathered -> then(() -> gathered.then().accept(gathered.answers())))
                .onMessage(ReferencesListed.class, listed -> then(() -> queries.onReferencesListed(listed)))
                .onMessage(BlobsListed.class, listed -> then(() -> queries.onBlobsListed(listed)))
                .onMessage(SweepFinished.class, finished -> then(() -> queries.onSweepFinished(finished)))
                .onMessageEquals(Tick.FLUSH_COP2, () -> then(mutations::flushCop2))
                .onMessageEquals(Tick.SWEEP, () -> then(() -> {
                    if (!queries.sweeping()) {
                        queries.startSweep(null);
                    }
                }))
                .onMessage(CatchUpRoundFinished.class, finished -> then(() -> catchUps.onRoundFinished(finished)))
                .onMessage(PendingChecked.class, checked -> then(() -> catchUps.onPendingChecked(checked)))
                .onMessage(ResolutionCoordinator.Outcome.class,
                        outcome -> then(() -> catchUps.resolutions().onOutcome(outcome)))
                .onMessage(Resolutions.Stopped.class, stopped -> then(() -> catchUps.resolutions().onStopped(stopped)))
                .onMessage(RetryCatchUp.class, retry -> then(() -> catchUps.start(retry.target())))
                .onMessage(GroupLooked.class, looked -> Behaviors.same())
                .onSignal(PostStop.class, stopped -> then(() -> metrics.coordinatorStopped(volumeId)))
                .onMessage(IdsLeased.class, leased -> then(() -> {
                    onIdsLeased(leased);
                    mutations.startNext();
                }))
                .onAnyMessage(message -> then(() -> replyRejected(message, Status.BAD_REQUEST, "the coordinator of "
                        + "volume " + volumeId + " does not handle " + message.getClass().getSimpleName())))
                .build();
    }

    private static Behavior<Object> then(Runnable action) {
        action.run();
        return Behaviors.same();
    }

    private static boolean isMutation(VolumeReplica.Execute execute) {
        return execute.request() != null && Mutation.of(execute.request(), new Origin("", 0, "", 0)) != null;
    }

    /**
     * strand repair check: compares the replicas' volume vectors now (one replica: nothing to compare), starts what
     * they need, and answers every replica's state and vector after the check and what it started.
     */
    private void checkGroup(VolumeReplica.CheckGroup check) {
        if (replicas.size() == 1) {
            asks.gather(VolumeReplica.GetStats::new, answers -> check.replyTo().tell(
                    new Result.GroupChecked(queries.summaries(answers), List.of())));
            return;
        }
        detection.check("strand repair check", report -> asks.gather(VolumeReplica.GetStats::new, answers -> {
            asks.noteAnswers(answers);
            check.replyTo().tell(new Result.GroupChecked(queries.summaries(answers), report.started()));
        }));
    }

    /** Answers a request that cannot be served, if it is one that expects an answer. */
    private static void replyRejected(Object message, Status status, String text) {
        if (message instanceof VolumeReplica.ExpectsAnswer asking && asking.replyTo() != null) {
            asking.replyTo().tell(new Result.Rejected(status, text));
        }
    }
}

package dev.strand.actors.coordinator;

import dev.strand.actors.FrameBudget;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.Mutation;
import dev.strand.actors.volume.Origin;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Cop1;
import dev.strand.actors.volume.VolumeReplica.Cop2Update;
import dev.strand.actors.volume.VolumeReplica.ReplicaSummary;
import dev.strand.actors.volume.VolumeReplica.ReplicaVersion;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.actors.volume.VolumeSettings;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Status;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.time.Duration;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The coordinator of one volume's storage group: a sharded, non-persistent entity (type
 * "VolumeCoordinator", id = the volume id) that every request for the volume goes through. It speaks the
 * replicas' own protocol ({@link VolumeReplica.Command}), so a connection does not care whether it talks
 * to a replica or to the coordinator.
 *
 * <ul>
 *   <li>Mutations ({@code Execute} of a namespace mutation, {@code CommitStore}) run one at a time, in
 *       arrival order. COP1: the mutation goes with a new operation id to every replica; the coordinator
 *       waits (at most {@code strand.coordinator.replica-timeout}) for each; the replicas that answered
 *       are the AVSG. With at least min-replicas answers the client gets the first replica's answer,
 *       otherwise UNAVAILABLE. COP2: the update set (the replicas that committed the operation) goes to
 *       those replicas, piggybacked on their next COP1 message or on its own after
 *       {@code strand.coordinator.cop2-flush-delay}.</li>
 *   <li>Reads ({@code Execute} of a read, {@code PrepareStore}, {@code OpenForFetch}) go to one available
 *       replica, the next one if it does not answer.</li>
 *   <li>{@code GetStats} and {@code Validate} ask every replica and combine the answers.</li>
 *   <li>Blob garbage: with more than one replica no replica deletes blobs; the coordinator's sweep asks
 *       every replica which blobs it references (page by page: {@code ListBlobReferencesPage}) and deletes the
 *       registered blobs none references that have been idle for {@code strand.volume.idle-blob-age}, at most a
 *       page of them per sweep. If a replica does not answer, that sweep is skipped. With one replica, {@code SweepBlobs} goes to the replica, which sweeps itself.</li>
 * </ul>
 * The storage group (replica entity ids, min-replicas) comes from the registry on the first request.
 */
public final class VolumeCoordinator {

    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
            EntityTypeKey.create(Command.class, "VolumeCoordinator");

    /**
     * @param replicaTimeout  how long to wait for each replica's answer
     * @param cop2FlushDelay  how long an update set waits for a COP1 message to ride on
     * @param sweepInterval   how often a volume of several replicas is swept for unreferenced blobs
     * @param idleBlobAge     how long a blob must be untouched before the sweep deletes it
     */
    public record Settings(Duration replicaTimeout, Duration cop2FlushDelay, Duration sweepInterval,
                           Duration idleBlobAge) {
        public static Settings of(ActorSystem<?> system) {
            var config = system.settings().config();
            VolumeSettings volume = VolumeSettings.of(system);
            return new Settings(config.getDuration("strand.coordinator.replica-timeout"),
                    config.getDuration("strand.coordinator.cop2-flush-delay"), volume.sweepInterval(),
                    volume.idleBlobAge());
        }
    }

    // ---- internal messages (never sent between nodes) -------------------------------------------

    private record GroupLooked(VolumeRegistry.Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    private record Cop1Answered(long opId, int replica, Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    private record ReadAnswered(Read read, int replica, Result result, Throwable failure)
            implements NoSerializationVerificationNeeded {}

    /** Every replica's answer (a Result, or null if it did not answer), handed to {@code then}. */
    private record Gathered(List<Result> answers, Consumer<List<Result>> then)
            implements NoSerializationVerificationNeeded {}

    private record BlobsListed(List<ChunkStore.BlobRecord> blobs, Set<UUID> referenced, Throwable failure,
                               ActorRef<Result> replyTo) implements NoSerializationVerificationNeeded {}

    private record SweepFinished(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo)
            implements NoSerializationVerificationNeeded {}

    /** Each replica's blob references (null where a replica did not list them all). */
    private record ReferencesListed(List<Set<UUID>> perReplica, ActorRef<Result> replyTo)
            implements NoSerializationVerificationNeeded {}

    private enum Tick implements NoSerializationVerificationNeeded { FLUSH_COP2, SWEEP }

    /** CATCH-UP: a round for replica {@code target} ended ({@code failure} null if it went through). */
    private record CatchUpRoundFinished(int target, boolean complete, ReplicaCatchUp.Outcome outcome,
                                        Throwable failure) implements NoSerializationVerificationNeeded {}

    /** CATCH-UP: the update sets the replicas were owed are applied (or not: {@code failure}). */
    private record Cop2Flushed(int target, Throwable failure) implements NoSerializationVerificationNeeded {}

    /** CATCH-UP: the target's operations waiting for COP2 (or why not). */
    private record PendingChecked(int target, int source, VersionVector targetVector, VersionVector sourceVector,
                                  Result pending, Throwable failure) implements NoSerializationVerificationNeeded {}

    /** CATCH-UP: time to try replica {@code target} again. */
    private record RetryCatchUp(int target) implements NoSerializationVerificationNeeded {}

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
    /** How large the messages to other nodes may be. */
    private final FrameBudget frames;

    // the storage group, once known
    private VolumeRegistry.VolumeRecord volume;
    private List<RecipientRef<Command>> group = List.of();
    /** Per replica: update sets waiting to be sent (piggybacked or flushed). */
    private List<List<Cop2Update>> unsentCop2 = List.of();
    /** Per replica: did it answer the last request it was sent? Reads try answering replicas first. */
    private boolean[] answering = new boolean[0];
    /**
     * Per replica: it missed operations the others applied (it did not answer a COP1 that others committed, or
     * refused it, or its version vector is dominated by another replica's). Until resolution brings it up to
     * date it gets no COP1, serves no read and counts for nothing: answering from it would show acknowledged
     * writes as missing. Derived again from the replicas' vectors whenever the coordinator starts.
     */
    private boolean[] behind = new boolean[0];

    // CATCH-UP: a replica that is behind is brought up to date from a current one (ReplicaCatchUp): rounds
    // while the volume keeps changing, then one last round with mutations paused, after which it is current.
    /** Rounds that ship fewer items than this are close enough: the next round is the last one. */
    private static final int CATCH_UP_CLOSE_ENOUGH = 64;
    /** At most this many rounds run with mutations flowing; the next is the last one. */
    private static final int CATCH_UP_MAX_OPEN_ROUNDS = 3;
    private static final Duration CATCH_UP_MAX_BACKOFF = Duration.ofSeconds(10);
    /** How long volume info and VALIDATE wait for a replica that is behind and did not answer last time. */
    private static final Duration QUICK_TIMEOUT = Duration.ofMillis(500);
    /** Per replica being caught up: its catch-up and the rounds run so far. */
    private final Map<Integer, CatchUpRun> catchUps = new HashMap<>();
    /** Per replica: its last catch-up found it holding changes no current replica has (resolution's job). */
    private boolean[] diverged = new boolean[0];
    /**
     * Operations this coordinator saw committed by at least one replica, newest last (bounded). A replica whose
     * node died may have applied an operation without its answer arriving: it then holds a bump of its own slot
     * the others never learn of (no COP2 names it), so its vector is not dominated though it holds nothing new.
     * Kept with the update set of each (a bit per replica), so such an operation can be told apart.
     */
    private final java.util.LinkedHashMap<Long, Integer> committedOps = new java.util.LinkedHashMap<>();
    private static final int COMMITTED_OPS_KEPT = 100_000;
    /** Per replica: catch-ups that failed in a row (for the retry delay). */
    private int[] catchUpFailures = new int[0];
    /** The replica whose last round runs while mutations wait, or -1. */
    private int pausedFor = -1;
    private boolean finalRoundStarted;
    /** When the pause for the last round began (nanoTime), for the log. */
    private long pausedSince;

    private static final class CatchUpRun {
        final ReplicaCatchUp catchUp;
        int rounds;
        int installed;

        CatchUpRun(ReplicaCatchUp catchUp) {
            this.catchUp = catchUp;
        }
    }

    // Mutations: up to MAX_OPERATIONS_IN_FLIGHT sent, the others queued, all in arrival order. Pipelining keeps
    // the replicas in step: each gets the operations in the same order (one sender, one receiver), applies them
    // in that order, and so decides each against the same state and allocates the same fids.
    private static final int MAX_OPERATIONS_IN_FLIGHT = 32;
    private final ArrayDeque<QueuedMutation> queue = new ArrayDeque<>();
    private final Map<Long, Operation> inFlight = new HashMap<>();
    /** Unique across restarts of the coordinator (a replica's pending-COP2 table is keyed by it). */
    private long nextOpId = System.currentTimeMillis() * 1000;
    private boolean sweeping;

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
        this.frames = FrameBudget.of(context.getSystem());
        context.setLoggerName(VolumeCoordinator.class); // not the generic ActorCell: operators filter by it
    }

    // ---- learning the storage group ---------------------------------------------------------------

    /** Stashes requests until the registry names the storage group. */
    private Behavior<Object> unknownGroup() {
        lookUpGroup();
        return Behaviors.receive(Object.class)
                .onMessage(GroupLooked.class, this::onGroupLooked)
                .onAnyMessage(message -> {
                    if (stash.isFull()) {
                        replyRejected(message, Status.UNAVAILABLE, "volume " + volumeId + " is overloaded");
                    } else {
                        stash.stash(message);
                    }
                    return Behaviors.same();
                })
                .build();
    }

    private void lookUpGroup() {
        context.ask(VolumeRegistry.Result.class, registry, settings.replicaTimeout(),
                ref -> new VolumeRegistry.LookupId(volumeId, ref), GroupLooked::new);
    }

    private Behavior<Object> onGroupLooked(GroupLooked looked) {
        if (looked.result() instanceof VolumeRegistry.Result.Volume found) {
            volume = found.volume();
            group = volume.replicaEntityIds().stream().map(replicaRefs).toList();
            unsentCop2 = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                unsentCop2.add(new ArrayList<>());
            }
            answering = new boolean[group.size()];
            Arrays.fill(answering, true);
            behind = new boolean[group.size()];
            catchUpFailures = new int[group.size()];
            diverged = new boolean[group.size()];
            if (group.size() == 1) {
                return stash.unstashAll(known());
            }
            timers.startTimerWithFixedDelay(Tick.SWEEP, settings.sweepInterval());
            gather(VolumeReplica.GetStats::new, this::findReplicasBehind);
            return checkingReplicas();
        }
        // no such volume (or the registry did not answer): refuse what waits, look again on the next request
        String problem = looked.result() instanceof VolumeRegistry.Result.Rejected r ? r.message()
                : "the volume registry did not answer: " + looked.failure();
        Status status = looked.result() instanceof VolumeRegistry.Result.Rejected r ? r.status() : Status.UNAVAILABLE;
        String text = status == Status.NO_SUCH_VOLUME ? "volume " + volumeId + " does not exist" : problem;
        stash.forEach(message -> replyRejected(message, status, text));
        stash.clear();
        return unknownGroupLater();
    }

    /** Stashes requests until every replica's version vector is known (see {@link #behind}). */
    private Behavior<Object> checkingReplicas() {
        return Behaviors.receive(Object.class)
                .onMessage(Gathered.class, gathered -> {
                    gathered.then().accept(gathered.answers());
                    return stash.unstashAll(known());
                })
                .onAnyMessage(message -> {
                    if (stash.isFull()) {
                        replyRejected(message, Status.UNAVAILABLE, "volume " + volumeId + " is overloaded");
                    } else {
                        stash.stash(message);
                    }
                    return Behaviors.same();
                })
                .build();
    }

    /** A replica is behind if it did not answer or another replica's vector dominates its own. */
    private void findReplicasBehind(List<Result> answers) {
        List<VersionVector> vectors = volumeVectors(answers);
        boolean anyCurrent = false;
        for (int i = 0; i < vectors.size(); i++) {
            VersionVector mine = vectors.get(i);
            boolean dominated = mine == null;
            for (int j = 0; j < vectors.size() && !dominated; j++) {
                dominated = vectors.get(j) != null && mine.compare(vectors.get(j)) == VersionOrder.DOMINATED;
            }
            behind[i] = dominated;
            anyCurrent |= !dominated;
        }
        if (!anyCurrent) {
            Arrays.fill(behind, false); // nobody answered: nothing to go by, serve as before
        }
        for (int i = 0; i < behind.length; i++) {
            if (behind[i]) {
                context.getLog().warn("Replica {} of volume {} is behind ({}); it serves nothing until it is "
                        + "brought up to date", i, volumeId, vectors.get(i) == null ? "did not answer" : "vector "
                        + vectors.get(i) + " is dominated");
                unsentCop2.get(i).clear();
                scheduleCatchUp(i);
            }
        }
    }

    /** Each replica's volume vector from its GetStats answer (null where it gave none). */
    private static List<VersionVector> volumeVectors(List<Result> answers) {
        List<VersionVector> vectors = new ArrayList<>();
        for (Result answer : answers) {
            vectors.add(answer instanceof Result.Stats stats && stats.versionVector() != null
                    ? VersionVector.fromList(stats.versionVector()) : null);
        }
        return vectors;
    }

    /** After a failed lookup: the next request starts a new lookup. */
    private Behavior<Object> unknownGroupLater() {
        return Behaviors.receive(Object.class)
                .onMessage(GroupLooked.class, looked -> Behaviors.same())
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
                        enqueue(new QueuedMutation(execute, execute.replyTo()));
                    } else {
                        read(new Read(execute::withReplyTo, execute.replyTo()));
                    }
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.CommitStore.class, commit -> {
                    enqueue(new QueuedMutation(commit, commit.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.PrepareStore.class, prepare -> {
                    read(new Read(r -> new VolumeReplica.PrepareStore(prepare.fid(), r), prepare.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.OpenForFetch.class, open -> {
                    read(new Read(r -> new VolumeReplica.OpenForFetch(open.fid(), r), open.replyTo()));
                    return Behaviors.same();
                })
                .onMessage(VolumeReplica.GetStats.class, this::onGetStats)
                .onMessage(VolumeReplica.Validate.class, this::onValidate)
                .onMessage(VolumeReplica.SweepBlobs.class, sweep -> {
                    if (group.size() == 1) {
                        group.get(0).tell(sweep);
                    } else {
                        startSweep(sweep.replyTo());
                    }
                    return Behaviors.same();
                })
                .onMessage(Cop1Answered.class, this::onCop1Answered)
                .onMessage(ReadAnswered.class, this::onReadAnswered)
                .onMessage(Gathered.class, gathered -> {
                    gathered.then().accept(gathered.answers());
                    return Behaviors.same();
                })
                .onMessage(ReferencesListed.class, this::onReferencesListed)
                .onMessage(BlobsListed.class, this::onBlobsListed)
                .onMessage(SweepFinished.class, this::onSweepFinished)
                .onMessageEquals(Tick.FLUSH_COP2, () -> {
                    flushCop2();
                    return Behaviors.same();
                })
                .onMessageEquals(Tick.SWEEP, () -> {
                    if (!sweeping) {
                        startSweep(null);
                    }
                    return Behaviors.same();
                })
                .onMessage(CatchUpRoundFinished.class, this::onCatchUpRoundFinished)
                .onMessage(Cop2Flushed.class, this::onCop2Flushed)
                .onMessage(PendingChecked.class, this::onPendingChecked)
                .onMessage(RetryCatchUp.class, retry -> {
                    startCatchUp(retry.target());
                    return Behaviors.same();
                })
                .onMessage(GroupLooked.class, looked -> Behaviors.same())
                .onAnyMessage(message -> {
                    replyRejected(message, Status.BAD_REQUEST, "the coordinator of volume " + volumeId
                            + " does not handle " + message.getClass().getSimpleName());
                    return Behaviors.same();
                })
                .build();
    }

    private static boolean isMutation(VolumeReplica.Execute execute) {
        return execute.request() != null && Mutation.of(execute.request(), new Origin("", 0, "", 0)) != null;
    }

    // ---- COP1 and COP2 ------------------------------------------------------------------------------

    /** A mutation waiting for its turn: an Execute or a CommitStore, and who asked. */
    private record QueuedMutation(Command command, ActorRef<Result> replyTo) {}

    /** The mutation in flight: every replica's answer so far (null: not yet, or no answer). */
    private static final class Operation {
        final long opId;
        final QueuedMutation mutation;
        final Result[] answers;
        int pending;

        Operation(long opId, QueuedMutation mutation, int replicas) {
            this.opId = opId;
            this.mutation = mutation;
            this.answers = new Result[replicas];
            this.pending = replicas;
        }
    }

    private void enqueue(QueuedMutation mutation) {
        queue.add(mutation);
        startNext();
    }

    /** Sends queued mutations while fewer than {@link #MAX_OPERATIONS_IN_FLIGHT} are unanswered. */
    private void startNext() {
        while (pausedFor < 0 && inFlight.size() < MAX_OPERATIONS_IN_FLIGHT && !queue.isEmpty()) {
            QueuedMutation next = queue.poll();
            long opId = nextOpId++;
            long time = System.currentTimeMillis();
            Operation op = new Operation(opId, next, group.size());
            inFlight.put(opId, op);
            for (boolean b : behind) {
                op.pending -= b ? 1 : 0;
            }
            if (op.pending == 0) { // every replica is behind: nothing can apply it
                inFlight.remove(opId);
                finish(op);
                continue;
            }
            for (int i = 0; i < group.size(); i++) {
                if (behind[i]) {
                    continue;
                }
                int replica = i;
                Cop1 cop1 = new Cop1(opId, time, takeUnsentCop2(replica));
                context.ask(Result.class, group.get(replica), settings.replicaTimeout(),
                        ref -> withCop1(next.command(), cop1, ref),
                        (result, failure) -> new Cop1Answered(opId, replica, result, failure));
            }
        }
    }

    private static Command withCop1(Command command, Cop1 cop1, ActorRef<Result> replyTo) {
        if (command instanceof VolumeReplica.Execute execute) {
            return execute.withCop1(cop1, replyTo);
        }
        return ((VolumeReplica.CommitStore) command).withCop1(cop1, replyTo);
    }

    private Behavior<Object> onCop1Answered(Cop1Answered answered) {
        Operation op = inFlight.get(answered.opId());
        if (op == null) {
            return Behaviors.same();
        }
        op.answers[answered.replica()] = answered.result();
        answering[answered.replica()] = answered.result() != null;
        if (answered.failure() != null) {
            context.getLog().debug("Replica {} of volume {} did not answer operation {}: {}", answered.replica(),
                    volumeId, op.opId, answered.failure().toString());
        }
        if (--op.pending == 0) {
            finish(op);
            inFlight.remove(op.opId);
            startNext();
            if (pausedFor >= 0 && inFlight.isEmpty() && !finalRoundStarted) {
                flushCop2ThenFinalRound(pausedFor);
            }
        }
        return Behaviors.same();
    }

    /** Answers the client and queues the update set for COP2. */
    private void finish(Operation op) {
        int answered = 0;
        Result first = null;
        Result firstDone = null;
        List<Integer> updateSet = new ArrayList<>();
        for (int i = 0; i < op.answers.length; i++) {
            Result answer = op.answers[i];
            if (answer == null) {
                continue;
            }
            answered++;
            first = first == null ? answer : first;
            if (answer instanceof Result.Done done) {
                firstDone = firstDone == null ? done : firstDone;
                if (done.committed()) {
                    updateSet.add(i);
                }
            }
        }
        if (!updateSet.isEmpty()) {
            for (int i = 0; i < op.answers.length; i++) {
                if (!behind[i] && !(op.answers[i] instanceof Result.Done)) {
                    behind[i] = true; // missed (or refused) what others committed
                    context.getLog().warn("Replica {} of volume {} is behind: it did not apply operation {} that "
                            + "{} applied; it serves nothing until it is brought up to date", i, volumeId, op.opId,
                            updateSet);
                    unsentCop2.get(i).clear(); // its versions will be the source's, COP2s included
                    scheduleCatchUp(i);
                }
            }
        }
        int required = volume.requiredReplicas();
        if (answered < required) {
            op.mutation.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "only " + answered + " of "
                    + group.size() + " replicas of volume '" + volume.name() + "' answered; it needs " + required));
        } else {
            Result reply = firstDone != null ? new Result.Done(((Result.Done) firstDone).reply()) : first;
            op.mutation.replyTo().tell(reply);
        }
        if (!updateSet.isEmpty()) {
            int members = 0;
            for (int replica : updateSet) {
                members |= 1 << replica;
            }
            committedOps.put(op.opId, members);
            if (committedOps.size() > COMMITTED_OPS_KEPT) {
                committedOps.remove(committedOps.keySet().iterator().next());
            }
        }
        if (updateSet.size() > 1) {
            Cop2Update update = new Cop2Update(op.opId, updateSet);
            for (int replica : updateSet) {
                unsentCop2.get(replica).add(update);
                if (unsentCop2.get(replica).size() >= MAX_UNSENT_COP2) {
                    // a full batch goes now: a COP1 or COP2 message never carries more (see MAX_UNSENT_COP2)
                    group.get(replica).tell(new VolumeReplica.Cop2(takeUnsentCop2(replica), null));
                }
            }
            if (!timers.isTimerActive(Tick.FLUSH_COP2)) {
                timers.startSingleTimer(Tick.FLUSH_COP2, settings.cop2FlushDelay());
            }
        }
    }

    /** Upper bound of an update set's CBOR bytes (an operation id and at most five slots; checked by PagedSweepTest). */
    static final int COP2_UPDATE_BYTES = 96;

    /**
     * Most update sets waiting for one replica: more are sent at once. So a COP1 or COP2 message carries at most
     * this many (a few KiB, far below a frame), and the replica persists at most this many COP2 events in one
     * atomic write, which stays below Cassandra's batch limit (batch_size_fail_threshold, 50 KiB) even when the
     * write spans two journal partitions.
     */
    static final int MAX_UNSENT_COP2 = 128;

    private List<Cop2Update> takeUnsentCop2(int replica) {
        List<Cop2Update> updates = unsentCop2.get(replica);
        if (updates.isEmpty()) {
            return List.of();
        }
        List<Cop2Update> taken = List.copyOf(updates);
        updates.clear();
        return taken;
    }

    /** Update sets that found no COP1 message to ride on go on their own. */
    private void flushCop2() {
        for (int i = 0; i < group.size(); i++) {
            List<Cop2Update> updates = takeUnsentCop2(i);
            if (!updates.isEmpty()) {
                group.get(i).tell(new VolumeReplica.Cop2(updates, null));
            }
        }
    }

    // ---- catching up replicas that fell behind -----------------------------------------------------------

    /** Starts catching replica {@code target} up now, unless that is already under way. */
    private void scheduleCatchUp(int target) {
        if (!catchUps.containsKey(target) && !timers.isTimerActive(new RetryCatchUp(target))) {
            timers.startSingleTimer(new RetryCatchUp(target), Duration.ZERO);
        }
    }

    /**
     * Checks every replica's volume vector first: the source must be current and hold everything the target
     * holds (the target's vector equal to or dominated by the source's). A target with updates no current
     * replica has diverged; copying over it would lose them, so it waits for resolution instead.
     */
    private void startCatchUp(int target) {
        if (target >= behind.length || !behind[target] || catchUps.containsKey(target)) {
            return;
        }
        catchUps.put(target, null); // reserved while the vectors are gathered
        gather(VolumeReplica.GetStats::new, answers -> {
            List<VersionVector> vectors = volumeVectors(answers);
            for (int i = 0; i < answers.size(); i++) {
                answering[i] = answers.get(i) != null;
            }
            boolean anyCurrent = false;
            for (boolean b : behind) {
                anyCurrent |= !b;
            }
            if (!anyCurrent) { // every replica is behind: judge them again by their vectors
                catchUps.remove(target);
                findReplicasBehind(answers);
                if (behind[target]) {
                    retryCatchUpLater(target, "no replica is current");
                }
                return;
            }
            if (vectors.get(target) == null) {
                catchUps.remove(target);
                retryCatchUpLater(target, "it did not answer");
                return;
            }
            int source = -1;
            for (int j = 0; j < vectors.size() && source < 0; j++) {
                if (j != target && !behind[j] && vectors.get(j) != null) {
                    VersionOrder order = vectors.get(target).compare(vectors.get(j));
                    if (order == VersionOrder.EQUAL || order == VersionOrder.DOMINATED) {
                        source = j;
                    }
                }
            }
            if (source >= 0) {
                beginCatchUp(target, source);
                return;
            }
            // Not dominated: the target may only hold operations it applied without its answer arriving
            int current = -1;
            for (int j = 0; j < vectors.size() && current < 0; j++) {
                current = j != target && !behind[j] && vectors.get(j) != null ? j : -1;
            }
            if (current < 0) {
                catchUps.remove(target);
                retryCatchUpLater(target, "no current replica answered");
                return;
            }
            int from = current;
            VersionVector targetVector = vectors.get(target);
            context.pipeToSelf(pendingOperations(group.get(target), new ArrayList<>()),
                    (pending, failure) -> new PendingChecked(target, from, targetVector, vectors.get(from), pending,
                            failure));
        });
    }

    /**
     * Every operation a replica waits COP2 for, asked page by page (each fits one message), as one
     * {@link Result.PendingOperations}; a refusal as it came.
     */
    private CompletionStage<Result> pendingOperations(RecipientRef<Command> replica, List<Long> soFar) {
        return AskPattern.<Command, Result>ask(replica, r -> new VolumeReplica.ListPendingOperationsPage(soFar.size(), r),
                settings.replicaTimeout(), context.getSystem().scheduler()).thenCompose(answer -> {
                    if (!(answer instanceof Result.PendingOperationsPage page)) {
                        return CompletableFuture.completedFuture(answer);
                    }
                    soFar.addAll(page.opIds()); // one page at a time: no other thread touches the list meanwhile
                    return page.last() || page.opIds().isEmpty()
                            ? CompletableFuture.completedFuture(new Result.PendingOperations(soFar))
                            : pendingOperations(replica, soFar);
                });
    }

    /**
     * The target's operations still waiting for COP2. The target holds nothing the source lacks when it is behind
     * the source in every other slot, and its own slot is ahead by no more than the operations it waits COP2 for
     * that this coordinator saw committed by other replicas without it (see {@link #committedOps}): each such
     * operation bumped its slot once without the others learning of it. Anything else is divergence.
     */
    private Behavior<Object> onPendingChecked(PendingChecked checked) {
        int target = checked.target();
        boolean listed = checked.pending() instanceof Result.PendingOperations;
        List<Long> pending = listed ? ((Result.PendingOperations) checked.pending()).opIds() : List.of();
        if (listed && !behind[checked.source()]
                && excessExplained(target, checked.targetVector(), checked.sourceVector(), pending)) {
            context.getLog().info("Replica {} of volume {} waits COP2 for {} operations the other replicas applied "
                    + "too (answers lost); it catches up", target, volumeId, pending.size());
            beginCatchUp(target, checked.source());
            return Behaviors.same();
        }
        diverged[target] = listed;
        catchUps.remove(target);
        retryCatchUpLater(target, listed ? "no current replica holds everything it holds (vector "
                + checked.targetVector() + "): the replicas diverged and need resolution"
                : "it did not list its pending operations");
        return Behaviors.same();
    }

    private boolean excessExplained(int target, VersionVector mine, VersionVector theirs, List<Long> pending) {
        for (int slot = 0; slot < mine.size(); slot++) {
            if (slot != target && mine.get(slot) > theirs.get(slot)) {
                return false;
            }
        }
        int lostAnswers = 0;
        for (Long opId : pending) {
            Integer members = committedOps.get(opId);
            if (members == null) {
                return false; // not an operation this coordinator saw the others commit
            }
            lostAnswers += (members & (1 << target)) == 0 ? 1 : 0;
        }
        return mine.get(target) - theirs.get(target) <= lostAnswers;
    }

    private void beginCatchUp(int target, int source) {
        diverged[target] = false;
        context.getLog().info("Replica {} of volume {} catches up from replica {}", target, volumeId, source);
        CatchUpRun run = new CatchUpRun(new ReplicaCatchUp(volumeId, source, group.get(source), target,
                group.get(target), settings.replicaTimeout(), context.getSystem().scheduler()));
        catchUps.put(target, run);
        runCatchUpRound(target, false);
    }

    private void runCatchUpRound(int target, boolean complete) {
        CatchUpRun run = catchUps.get(target);
        context.pipeToSelf(run.catchUp.round(complete),
                (outcome, failure) -> new CatchUpRoundFinished(target, complete, outcome, failure));
    }

    private Behavior<Object> onCatchUpRoundFinished(CatchUpRoundFinished finished) {
        int target = finished.target();
        CatchUpRun run = catchUps.get(target);
        if (run == null) {
            return Behaviors.same();
        }
        if (finished.failure() != null) {
            catchUps.remove(target);
            if (finished.complete()) {
                resumeMutations();
            }
            Throwable cause = finished.failure().getCause() != null ? finished.failure().getCause() : finished.failure();
            retryCatchUpLater(target, cause.getMessage());
            return Behaviors.same();
        }
        run.rounds++;
        run.installed += finished.outcome().installed();
        if (!finished.complete()) {
            boolean closeEnough = finished.outcome().installed() <= CATCH_UP_CLOSE_ENOUGH
                    || run.rounds >= CATCH_UP_MAX_OPEN_ROUNDS;
            if (closeEnough && pausedFor < 0) {
                pausedFor = target; // the last round: let what is in flight finish, start nothing new
                finalRoundStarted = false;
                pausedSince = System.nanoTime();
                if (inFlight.isEmpty()) {
                    flushCop2ThenFinalRound(target);
                }
            } else {
                runCatchUpRound(target, false);
            }
            return Behaviors.same();
        }
        catchUps.remove(target);
        behind[target] = false;
        diverged[target] = false;
        answering[target] = true;
        catchUpFailures[target] = 0;
        unsentCop2.get(target).clear();
        context.getLog().info("Replica {} of volume {} is up to date again (from replica {}: {} items in {} rounds, "
                + "changes paused {} ms for the last); it takes part in every operation from now on", target, volumeId,
                run.catchUp.sourceIndex(), run.installed, run.rounds,
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedSince));
        resumeMutations();
        return Behaviors.same();
    }

    /**
     * Before the last round every replica applies the update sets it is owed, and waits for them, so the
     * versions the target copies already include every COP2 (it gets none of those itself).
     */
    private void flushCop2ThenFinalRound(int target) {
        finalRoundStarted = true;
        CatchUpRun run = catchUps.get(target);
        if (run == null || behind[run.catchUp.sourceIndex()]) {
            catchUps.remove(target);
            resumeMutations();
            retryCatchUpLater(target, "its source fell behind");
            return;
        }
        timers.cancel(Tick.FLUSH_COP2);
        List<CompletableFuture<Result>> acks = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            List<Cop2Update> updates = takeUnsentCop2(i);
            if (!updates.isEmpty() && !behind[i]) {
                acks.add(AskPattern.<Command, Result>ask(group.get(i), r -> new VolumeReplica.Cop2(updates, r),
                        settings.replicaTimeout(), context.getSystem().scheduler()).toCompletableFuture());
            }
        }
        context.pipeToSelf(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new Cop2Flushed(target, failure));
    }

    private Behavior<Object> onCop2Flushed(Cop2Flushed flushed) {
        if (flushed.failure() != null) {
            catchUps.remove(flushed.target());
            resumeMutations();
            retryCatchUpLater(flushed.target(), "update sets could not be applied first: " + flushed.failure());
        } else if (catchUps.get(flushed.target()) != null) {
            runCatchUpRound(flushed.target(), true);
        } else {
            resumeMutations();
        }
        return Behaviors.same();
    }

    private void resumeMutations() {
        pausedFor = -1;
        finalRoundStarted = false;
        startNext();
    }

    private void retryCatchUpLater(int target, String why) {
        int failures = ++catchUpFailures[target];
        long millis = Math.min(CATCH_UP_MAX_BACKOFF.toMillis(), 250L << Math.min(failures, 10));
        context.getLog().info("Replica {} of volume {} could not be brought up to date ({}); trying again in {} ms",
                target, volumeId, why, millis);
        timers.startSingleTimer(new RetryCatchUp(target), Duration.ofMillis(millis));
    }

    // ---- reads ---------------------------------------------------------------------------------------

    /** A read, re-addressable to any replica. {@code tried}: the replicas asked so far. */
    private record Read(Function<ActorRef<Result>, Command> command, ActorRef<Result> replyTo, Set<Integer> tried) {
        Read(Function<ActorRef<Result>, Command> command, ActorRef<Result> replyTo) {
            this(command, replyTo, new HashSet<>());
        }
    }

    /** Asks the first answering replica not tried yet (then any not tried); UNAVAILABLE when none is left. */
    private void read(Read read) {
        int target = -1;
        for (int pass = 0; pass < 2 && target < 0; pass++) {
            for (int i = 0; i < group.size(); i++) {
                if (!read.tried().contains(i) && !behind[i] && (pass == 1 || answering[i])) {
                    target = i;
                    break;
                }
            }
        }
        if (target < 0) {
            read.replyTo().tell(new Result.Rejected(Status.UNAVAILABLE, "no replica of volume '" + volume.name()
                    + "' answered"));
            return;
        }
        int replica = target;
        read.tried().add(replica);
        context.ask(Result.class, group.get(replica), settings.replicaTimeout(), read.command()::apply,
                (result, failure) -> new ReadAnswered(read, replica, result, failure));
    }

    private Behavior<Object> onReadAnswered(ReadAnswered answered) {
        answering[answered.replica()] = answered.result() != null;
        if (answered.result() != null) {
            answered.read().replyTo().tell(answered.result());
        } else {
            read(answered.read());
        }
        return Behaviors.same();
    }

    // ---- asking every replica --------------------------------------------------------------------------

    /** Asks every replica; {@code then} runs in this actor with every answer (null where there was none). */
    private void gather(Function<ActorRef<Result>, Command> command, Consumer<List<Result>> then) {
        gather(command, then, false);
    }

    /**
     * As {@link #gather(Function, Consumer)}; with {@code quick}, a replica that is behind and did not answer
     * last time gets a short wait only, so that volume info and VALIDATE do not stall on a replica whose
     * node is down (catching up probes it with the full timeout).
     */
    private void gather(Function<ActorRef<Result>, Command> command, Consumer<List<Result>> then, boolean quick) {
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        Duration shortWait = QUICK_TIMEOUT.compareTo(settings.replicaTimeout()) < 0 ? QUICK_TIMEOUT
                : settings.replicaTimeout();
        for (int i = 0; i < group.size(); i++) {
            Duration timeout = quick && behind[i] && !answering[i] ? shortWait : settings.replicaTimeout();
            answers.add(AskPattern.<Command, Result>ask(group.get(i), command::apply, timeout,
                    context.getSystem().scheduler()).toCompletableFuture().exceptionally(failure -> null));
        }
        context.pipeToSelf(CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new Gathered(answers.stream().map(a -> a.getNow(null)).toList(), then));
    }

    private Behavior<Object> onGetStats(VolumeReplica.GetStats command) {
        gather(VolumeReplica.GetStats::new, answers -> {
            Result.Stats base = null;
            int baseIndex = -1;
            List<ReplicaSummary> summaries = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                answering[i] = answers.get(i) != null;
                if (answers.get(i) instanceof Result.Stats stats) {
                    // the usage figures of a current replica (one that is behind shows an older volume)
                    if (base == null || (behind[baseIndex] && !behind[i])) {
                        base = stats;
                        baseIndex = i;
                    }
                    summaries.add(stats.self().withState(stateOf(i)));
                } else {
                    summaries.add(new ReplicaSummary(i, volume.replicaEntityIds().get(i), null, false, null, -1,
                            "unavailable"));
                }
            }
            if (base == null) {
                Result rejected = answers.stream().filter(Objects::nonNull).findFirst().orElse(null);
                command.replyTo().tell(rejected != null ? rejected : new Result.Rejected(Status.UNAVAILABLE,
                        "no replica of volume '" + volume.name() + "' answered"));
                return;
            }
            command.replyTo().tell(new Result.Stats(base.volumeId(), base.volumeName(), base.createdMillis(),
                    base.files(), base.directories(), base.symlinks(), base.bytes(), base.versionVector(),
                    base.self(), List.copyOf(summaries)));
        }, true);
        return Behaviors.same();
    }

    /** What {@code volume info} shows for replica {@code i} that answered. */
    private String stateOf(int i) {
        if (!behind[i]) {
            return "current";
        }
        if (diverged[i]) {
            return "diverged";
        }
        return catchUps.get(i) != null ? "catching-up" : "behind";
    }

    /**
     * Every replica's version of the object. They agree when every replica that answered has it with the
     * same version vector and data version. If no replica has it, the first refusal (e.g. STALE) is the answer.
     */
    private Behavior<Object> onValidate(VolumeReplica.Validate command) {
        gather(r -> new VolumeReplica.Validate(command.fid(), r), answers -> {
            List<ReplicaVersion> versions = new ArrayList<>();
            Result.Rejected firstRejection = null;
            int withVersion = 0;
            for (int i = 0; i < answers.size(); i++) {
                Result answer = answers.get(i);
                answering[i] = answer != null;
                if (answer instanceof Result.Validation validation && !validation.replicas().isEmpty()) {
                    ReplicaVersion v = validation.replicas().get(0);
                    versions.add(new ReplicaVersion(i, v.node(), true, v.versionVector(), v.dataVersion(), null));
                    withVersion++;
                } else if (answer instanceof Result.Rejected rejected) {
                    firstRejection = firstRejection == null ? rejected : firstRejection;
                    versions.add(new ReplicaVersion(i, null, true, null, 0, rejected.status() + ": " + rejected.message()));
                } else {
                    versions.add(new ReplicaVersion(i, null, false, null, 0, "did not answer"));
                }
            }
            if (withVersion == 0) {
                command.replyTo().tell(firstRejection != null ? firstRejection : new Result.Rejected(Status.UNAVAILABLE,
                        "no replica of volume '" + volume.name() + "' answered"));
                return;
            }
            command.replyTo().tell(new Result.Validation(List.copyOf(versions), agree(versions)));
        }, true);
        return Behaviors.same();
    }

    /** True when every replica that answered has the object, all with the same version. */
    static boolean agree(List<ReplicaVersion> versions) {
        ReplicaVersion reference = null;
        for (ReplicaVersion v : versions) {
            if (!v.available()) {
                continue;
            }
            if (v.versionVector() == null) {
                return false;
            }
            if (reference == null) {
                reference = v;
            } else if (!reference.versionVector().equals(v.versionVector())
                    || reference.dataVersion() != v.dataVersion()) {
                return false;
            }
        }
        return reference != null;
    }

    // ---- blob sweep across the storage group -------------------------------------------------------------

    /** Asks every replica for its blob references, page by page (each page fits one message). */
    private void startSweep(ActorRef<Result> replyTo) {
        sweeping = true;
        List<CompletableFuture<Set<UUID>>> lists = new ArrayList<>();
        for (RecipientRef<Command> replica : group) {
            lists.add(blobReferences(replica, 0, new HashSet<>()).toCompletableFuture()
                    .exceptionally(failure -> null));
        }
        context.pipeToSelf(CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new ReferencesListed(lists.stream().map(l -> l.getNow(null)).toList(), replyTo));
    }

    /** The blobs one replica references, from vnode {@code after} on; fails if a page does not come. */
    private CompletionStage<Set<UUID>> blobReferences(RecipientRef<Command> replica, long after, Set<UUID> soFar) {
        return AskPattern.<Command, Result>ask(replica, r -> new VolumeReplica.ListBlobReferencesPage(after, r),
                settings.replicaTimeout(), context.getSystem().scheduler()).thenCompose(answer -> {
                    if (!(answer instanceof Result.BlobReferencesPage page)) {
                        throw new IllegalStateException("answered " + answer);
                    }
                    soFar.addAll(page.blobIds()); // one page at a time: no other thread touches the set meanwhile
                    return page.last() ? CompletableFuture.completedFuture(soFar)
                            : blobReferences(replica, page.lastVnode(), soFar);
                });
    }

    private Behavior<Object> onReferencesListed(ReferencesListed listedReferences) {
        ActorRef<Result> replyTo = listedReferences.replyTo();
        Set<UUID> referenced = new HashSet<>();
        for (int i = 0; i < listedReferences.perReplica().size(); i++) {
            Set<UUID> refs = listedReferences.perReplica().get(i);
            if (refs == null) {
                sweeping = false;
                String why = "replica " + i + " of volume " + volumeId + " did not list its blobs; sweep skipped";
                context.getLog().info(why);
                if (replyTo != null) {
                    replyTo.tell(new Result.Rejected(Status.UNAVAILABLE, why));
                }
                return Behaviors.same();
            }
            referenced.addAll(refs);
        }
        CompletableFuture<List<ChunkStore.BlobRecord>> listed;
        try {
            listed = chunks.listBlobs(volumeId).toCompletableFuture();
        } catch (RuntimeException e) {
            listed = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(listed, (blobs, failure) -> new BlobsListed(blobs, referenced, failure, replyTo));
        return Behaviors.same();
    }

    private Behavior<Object> onBlobsListed(BlobsListed listed) {
        if (listed.failure() != null) {
            return onSweepFinished(new SweepFinished(List.of(), listed.failure(), listed.replyTo()));
        }
        long idleSince = System.currentTimeMillis() - settings.idleBlobAge().toMillis();
        List<UUID> garbage = listed.blobs().stream()
                .filter(b -> !listed.referenced().contains(b.blobId()) && b.touchedMillis() < idleSince)
                .map(ChunkStore.BlobRecord::blobId)
                .limit(frames.uuidsPerPage()) // a page per sweep: the answer fits one message, the rest goes next time
                .toList();
        CompletableFuture<?>[] deletions = garbage.stream().map(blobId -> {
            try {
                return chunks.deleteBlob(volumeId, blobId).toCompletableFuture();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }).toArray(CompletableFuture[]::new);
        context.pipeToSelf(CompletableFuture.allOf(deletions),
                (ok, failure) -> new SweepFinished(garbage, failure, listed.replyTo()));
        return Behaviors.same();
    }

    private Behavior<Object> onSweepFinished(SweepFinished finished) {
        sweeping = false;
        if (finished.failure() != null) {
            context.getLog().warn("Blob sweep of volume {} failed: {}", volumeId, finished.failure().toString());
            if (finished.replyTo() != null) {
                finished.replyTo().tell(new Result.Rejected(Status.IO_ERROR, "blob sweep of volume " + volumeId
                        + " failed: " + finished.failure().getMessage()));
            }
        } else {
            if (!finished.deleted().isEmpty()) {
                context.getLog().info("Blob sweep of volume {} deleted {} unreferenced blobs", volumeId,
                        finished.deleted().size());
            }
            if (finished.replyTo() != null) {
                finished.replyTo().tell(new Result.Swept(finished.deleted()));
            }
        }
        return Behaviors.same();
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Answers a request that cannot be served, if it is one that expects an answer. */
    private static void replyRejected(Object message, Status status, String text) {
        if (message instanceof VolumeReplica.ExpectsAnswer asking && asking.replyTo() != null) {
            asking.replyTo().tell(new Result.Rejected(status, text));
        }
    }
}

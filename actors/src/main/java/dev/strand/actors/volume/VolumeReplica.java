package dev.strand.actors.volume;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.strand.actors.CborSerializable;
import dev.strand.actors.FrameBudget;
import dev.strand.metrics.StrandMetrics;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Names;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One replica of one volume: an event-sourced, sharded entity holding the volume's vnodes and
 * directories. Entity id: {@code "<volumeId>.<replicaIndex>"} (see {@link #entityId}).
 *
 * <p>PROTOCOL (the contract the connection actor and the registry rely on):
 * <ul>
 *   <li>{@link Initialize}: idempotent; creates the root directory on first use. {@code Done(VolumeInfo)}.</li>
 *   <li>{@link Execute}: a read (GetAttr, Walk, ReadDir, ReadLink) answered from state, or a namespace
 *       mutation (Create, MkDir, Symlink, Link, Remove, RmDir, Rename, SetAttr) run through the pipeline
 *       validate -> get objects -> check semantics -> perform -> commit one event. Answers
 *       {@link Result.Done} with the opcode's reply type, or {@link Result.Rejected}. Any other request
 *       is rejected with BAD_REQUEST.</li>
 *   <li>{@link PrepareStore}: checks that the fid is a regular file that may be written; {@code Done(Attr)}.</li>
 *   <li>{@link CommitStore}: makes an already written blob the file's contents; {@code Done(Attr)}. The blob
 *       it replaces is deleted {@code strand.volume.blob-delete-delay} later.</li>
 *   <li>{@link OpenForFetch}: the blob to read for a regular file: {@link Result.FetchTarget}.</li>
 *   <li>{@link GetStats}: usage figures: {@link Result.Stats}.</li>
 *   <li>{@link SweepBlobs}: deletes the volume's blobs that no vnode references and that have been idle
 *       for {@code strand.volume.idle-blob-age}; {@link Result.Swept}. Also runs every
 *       {@code strand.volume.sweep-interval} while the replica is active. Only for a volume of one
 *       replica: with more, another replica may still reference a blob, so the volume's coordinator
 *       sweeps across the storage group ({@link ListBlobReferences}) and replicas never delete blobs.</li>
 *   <li>Replication: an {@link Execute} or {@link CommitStore} with a {@link Cop1} is the coordinator's
 *       operation {@code opId}: its update sets of earlier operations (COP2) are applied first, then the
 *       mutation, whose event bumps this replica's slot and is recorded in the pending-COP2 table
 *       ({@link VolumeEvent.OperationRecorded}). {@link Cop2} delivers update sets on their own. Pending
 *       operations expire after {@code strand.volume.cop2-expiry} ({@link VolumeEvent.Cop2Expired}).</li>
 *   <li>{@link Validate}: this replica's version of one object: {@link Result.Validation}.</li>
 *   <li>{@link ListBlobReferencesPage}: the blobs this replica's vnodes reference, a page at a time:
 *       {@link Result.BlobReferencesPage}. Every answer that carries a list is paged to fit one remoting frame
 *       ({@link dev.strand.actors.FrameBudget}).</li>
 *   <li>Catching up ({@link VnodeSync}): as a source, {@link ListVersions} ({@link Result.Versions}),
 *       {@link ReadVnodes} ({@link Result.VnodeImages}), {@link ReadEntries} ({@link Result.DirectoryEntries})
 *       and {@link ReadRecentRequests} ({@link Result.RecentRequestsPage}) only read; as a target,
 *       {@link ListPendingOperations} ({@link Result.PendingOperations}) says which of its operations wait for
 *       COP2,
 *       {@link CompareVersions} ({@link Result.Compared}) reads, and {@link InstallVnodes},
 *       {@link InstallEntries}, {@link AdoptRecentRequests} and {@link CompleteCatchUp} persist the source's
 *       state as this replica's events ({@link Result.Installed}).</li>
 * </ul>
 * Commands to an uninitialised replica are rejected with NO_SUCH_VOLUME.
 */
public final class VolumeReplica extends EventSourcedBehavior<VolumeReplica.Command, VolumeEvent, Volume> {

    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
            EntityTypeKey.create(Command.class, "VolumeReplica");

    /** On whose behalf every request acts until sessions authenticate (roadmap issue 4). */
    public static final String UNAUTHENTICATED_PRINCIPAL = "anonymous";

    public static String entityId(long volumeId, int replicaIndex) {
        return volumeId + "." + replicaIndex;
    }

    // ---- commands ----------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** A command that expects an answer (the public ones); {@code replyTo} may be null where none is wanted. */
    public interface ExpectsAnswer {
        ActorRef<Result> replyTo();
    }

    /** {@code replicas}: the size of the storage group (this replica's version vectors have that many slots). */
    public record Initialize(long volumeId, String volumeName, long createdMillis, ActorRef<Result> replyTo,
                             int replicas) implements Command, ExpectsAnswer {
        public Initialize {
            replicas = Math.max(1, replicas); // absent (0) in messages from before replicated volumes
        }

        public Initialize(long volumeId, String volumeName, long createdMillis, ActorRef<Result> replyTo) {
            this(volumeId, volumeName, createdMillis, replyTo, 1);
        }
    }

    /**
     * {@code clientId}/{@code requestId} identify the request: recorded in events, and a mutation resent with
     * the same pair is answered again rather than applied twice ({@link RecentRequests}).
     * {@code cop1} is set when the volume's coordinator sends it (null: a direct, unreplicated call).
     */
    public record Execute(@JsonTypeInfo(use = JsonTypeInfo.Id.NAME) Request request, String clientId,
                          long requestId, ActorRef<Result> replyTo, Cop1 cop1) implements Command, ExpectsAnswer {
        public Execute(Request request, String clientId, long requestId, ActorRef<Result> replyTo) {
            this(request, clientId, requestId, replyTo, null);
        }

        public Execute withCop1(Cop1 cop1, ActorRef<Result> replyTo) {
            return new Execute(request, clientId, requestId, replyTo, cop1);
        }

        public Execute withReplyTo(ActorRef<Result> replyTo) {
            return new Execute(request, clientId, requestId, replyTo, cop1);
        }
    }

    public record PrepareStore(Fid fid, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    public record CommitStore(Fid fid, UUID blobId, long length, String clientId, long requestId,
                              ActorRef<Result> replyTo, Cop1 cop1) implements Command, ExpectsAnswer {
        public CommitStore(Fid fid, UUID blobId, long length, String clientId, long requestId,
                           ActorRef<Result> replyTo) {
            this(fid, blobId, length, clientId, requestId, replyTo, null);
        }

        public CommitStore withCop1(Cop1 cop1, ActorRef<Result> replyTo) {
            return new CommitStore(fid, blobId, length, clientId, requestId, replyTo, cop1);
        }
    }

    /**
     * The coordinator's part of a mutation: its operation id, the time every replica gives it (so that
     * the replicas' times agree), and update sets of earlier operations piggybacked on it.
     */
    public record Cop1(long opId, long timeMillis, List<Cop2Update> cop2) implements CborSerializable {
        public Cop1 {
            cop2 = cop2 == null ? List.of() : List.copyOf(cop2);
        }
    }

    /** The update set of operation {@code opId}: the replicas (slots) that applied it. */
    public record Cop2Update(long opId, List<Integer> updateSet) implements CborSerializable {
        public Cop2Update {
            updateSet = List.copyOf(updateSet);
        }
    }

    /** Update sets sent on their own; answers {@link Result.Cop2Done} if {@code replyTo} is not null. */
    public record Cop2(List<Cop2Update> updates, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** This replica's version of one object; answers {@link Result.Validation} (one replica) or Rejected. */
    public record Validate(Fid fid, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * Answers {@link Result.BlobReferences}: the blobs this replica's files hold, if they fit in one message
     * (else UNAVAILABLE). Sent by coordinators of the previous release; this one pages ({@link ListBlobReferencesPage}).
     */
    public record ListBlobReferences(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * The blobs of this replica's vnodes numbered above {@code afterVnode} (0: from the first), one page:
     * {@link Result.BlobReferencesPage}.
     */
    public record ListBlobReferencesPage(long afterVnode, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    public record OpenForFetch(Fid fid, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    // ---- catching up (VnodeSync): the source's side only reads, the target's side installs ----------

    /** The versions of up to {@code max} vnodes numbered above {@code after}: {@link Result.Versions}. */
    public record ListVersions(long after, int max, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Compares a page of a source's versions with this replica's vnodes: {@link Result.Compared}. */
    public record CompareVersions(long after, List<VnodeSync.Summary> source, boolean last,
                                  ActorRef<Result> replyTo) implements Command, ExpectsAnswer {
        public CompareVersions {
            source = List.copyOf(source);
        }
    }

    /** The listed vnodes whole, as many as fit in one answer: {@link Result.VnodeImages}. */
    public record ReadVnodes(List<Long> vnodes, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {
        public ReadVnodes {
            vnodes = List.copyOf(vnodes);
        }
    }

    /**
     * Entries of directory {@code vnode} after {@code afterName}, if it still has data version
     * {@code dataVersion} (else STALE: it changed since its first entries were read): {@link Result.DirectoryEntries}.
     */
    public record ReadEntries(long vnode, long dataVersion, String afterName, ActorRef<Result> replyTo)
            implements Command, ExpectsAnswer {}

    /**
     * The operations this replica applied whose COP2 has not come: {@link Result.PendingOperations}, if they fit
     * in one message (else UNAVAILABLE). Sent by coordinators of the previous release; this one pages.
     */
    public record ListPendingOperations(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** A page of those operations, after the first {@code skip}: {@link Result.PendingOperationsPage}. */
    public record ListPendingOperationsPage(int skip, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * A page of this replica's retry window: {@link Result.RecentRequestsPage}, at most {@code max} entries and
     * cut shorter to fit one message: ask again after the entries received until a page comes back empty.
     */
    public record ReadRecentRequests(int skip, int max, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Installs vnodes as replica {@code sourceReplica} has them: {@link Result.Installed}. */
    public record InstallVnodes(int sourceReplica, List<VolumeSnapshot.VnodeRecord> vnodes, List<Long> incomplete,
                                List<Long> removed, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Installs more entries of a directory; {@code completedVersion} on the last slice: {@link Result.Installed}. */
    public record InstallEntries(int sourceReplica, long vnode, List<VolumeSnapshot.EntryRecord> entries,
                                 VnodeVersion completedVersion, ActorRef<Result> replyTo)
            implements Command, ExpectsAnswer {}

    /** Adopts part of the source's retry window: {@link Result.Installed}. */
    public record AdoptRecentRequests(int sourceReplica, List<RecentRequests.Entry> entries,
                                      ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Ends a catch-up: the source's volume vector and fid counters: {@link Result.Installed}. */
    public record CompleteCatchUp(int sourceReplica, dev.strand.replication.VersionVector volumeVector,
                                  long nextVnode, long nextUnique, ActorRef<Result> replyTo)
            implements Command, ExpectsAnswer {}

    public record GetStats(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Runs the blob sweep now; answers {@link Result.Swept} or {@link Result.Rejected} (IO_ERROR). */
    public record SweepBlobs(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    // internal messages: results of timers and of asynchronous work, never sent between nodes

    private record SweepTick() implements Command, NoSerializationVerificationNeeded {}

    private record BlobsListed(List<ChunkStore.BlobRecord> blobs, Throwable failure, ActorRef<Result> replyTo)
            implements Command, NoSerializationVerificationNeeded {}

    private record SweepFinished(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo)
            implements Command, NoSerializationVerificationNeeded {}

    private record DeleteFreedBlob(UUID blobId) implements Command, NoSerializationVerificationNeeded {}

    private record ExpireCop2Tick() implements Command, NoSerializationVerificationNeeded {}

    private record FreedBlobDeleted(UUID blobId, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    // ---- results -----------------------------------------------------------------------------

    /**
     * One replica as the volume info shows it: its slot, entity id, the node hosting it (null if not
     * known), the volume-level version vector and the operations waiting for COP2. {@code available} is
     * false (and the rest null/-1) for a replica that did not answer. {@code state} (filled in by the
     * coordinator, see {@code ReplicaInfo}): current, behind, catching-up, diverged or unavailable.
     */
    public record ReplicaSummary(int index, String entityId, String node, boolean available,
                                 List<Long> versionVector, int pendingCop2, String state) implements CborSerializable {

        /** As a replica reports itself: its state is the coordinator's to say. */
        public ReplicaSummary(int index, String entityId, String node, boolean available, List<Long> versionVector,
                              int pendingCop2) {
            this(index, entityId, node, available, versionVector, pendingCop2, null);
        }

        public ReplicaSummary withState(String state) {
            return new ReplicaSummary(index, entityId, node, available, versionVector, pendingCop2, state);
        }
    }

    /** One replica's version of one object; {@code problem} says why it has none (e.g. STALE there). */
    public record ReplicaVersion(int index, String node, boolean available, List<Long> versionVector,
                                 long dataVersion, String problem) implements CborSerializable {}

    public sealed interface Result extends CborSerializable {
        /** {@code committed}: the mutation persisted an event on this replica (not a no-op, not a read). */
        record Done(@JsonTypeInfo(use = JsonTypeInfo.Id.NAME) Reply reply, boolean committed) implements Result {
            public Done(Reply reply) {
                this(reply, false);
            }
        }

        record Rejected(Status status, String message) implements Result {}

        /** {@code blobId} is null for a file that was never stored; bytes in [blobLength, size) read as zeros. */
        record FetchTarget(Attr attr, UUID blobId, long blobLength) implements Result {}

        /**
         * {@code self}: the answering replica; {@code group}: every replica of the storage group, filled in
         * by the coordinator (null from a replica on its own).
         */
        record Stats(long volumeId, String volumeName, long createdMillis, long files, long directories,
                     long symlinks, long bytes, List<Long> versionVector, ReplicaSummary self,
                     List<ReplicaSummary> group) implements Result {}

        /** {@code agree}: every available replica has the same version vector and data version. */
        record Validation(List<ReplicaVersion> replicas, boolean agree) implements Result {}

        record BlobReferences(int replicaIndex, List<UUID> blobIds) implements Result {}

        /** One page of a replica's blob references; {@code lastVnode}: the next page's cursor; {@code last}: none follow. */
        record BlobReferencesPage(int replicaIndex, List<UUID> blobIds, long lastVnode, boolean last) implements Result {}

        /** How many of the update sets found their operation still pending (the others had expired). */
        record Cop2Done(int applied) implements Result {}

        /** The blobs a sweep deleted: at most a page of them per sweep (the rest go at the next one). */
        record Swept(List<UUID> deleted) implements Result {}

        /**
         * A page of a source's vnode versions; {@code last}: none beyond. With it, the source's volume vector and
         * fid counters (what a target takes when its catch-up completes).
         */
        record Versions(List<VnodeSync.Summary> summaries, boolean last,
                        dev.strand.replication.VersionVector volumeVector, long nextVnode, long nextUnique)
                implements Result {}

        record Compared(VnodeSync.Differences differences) implements Result {}

        record VnodeImages(VnodeSync.Images images) implements Result {}

        /** {@code version}: the directory's version, which the last slice installs. */
        record DirectoryEntries(VnodeSync.Entries entries, VnodeVersion version) implements Result {}

        record RecentRequestsPage(List<RecentRequests.Entry> entries) implements Result {}

        /** Operation ids waiting for their COP2 here (in the order recorded). */
        record PendingOperations(List<Long> opIds) implements Result {}

        /** A page of them; {@code last}: none follow. */
        record PendingOperationsPage(List<Long> opIds, boolean last) implements Result {}

        /** How many items (vnodes, entries, requests) a catch-up step installed. */
        record Installed(int items) implements Result {}
    }

    // ---- creation ----------------------------------------------------------------------------

    public static Behavior<Command> create(String entityId, ChunkStore chunks, VolumeSettings settings) {
        return Behaviors.withTimers(timers -> Behaviors.setup(
                context -> new VolumeReplica(context, timers, entityId, chunks, settings)));
    }

    /** Registers the entity type with Cluster Sharding on this node. */
    public static void init(ActorSystem<?> system, ChunkStore chunks, VolumeSettings settings) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_TYPE_KEY,
                        entityContext -> create(entityContext.getEntityId(), chunks, settings))
                // Each replica its own shard, placed apart from its volume's other replicas (cluster package).
                .withMessageExtractor(new dev.strand.actors.cluster.ShardPerEntityExtractor<Command>())
                .withAllocationStrategy(new dev.strand.actors.cluster.ReplicaAllocationStrategy()));
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String entityId;
    private final long volumeId;
    private final int replicaIndex;
    private final ChunkStore chunks;
    private final VolumeSettings settings;
    private final StrandMetrics metrics;

    // Bookkeeping of asynchronous work on blobs, not the volume's state (which is all in Volume).
    /** Freed blobs waiting for their delayed deletion; the sweep leaves them alone. */
    private final Set<UUID> pendingDeletes = new HashSet<>();
    private boolean sweeping;

    /** How large the answers to other nodes may be. */
    private final FrameBudget frames;

    private VolumeReplica(ActorContext<Command> context, TimerScheduler<Command> timers, String entityId,
                          ChunkStore chunks, VolumeSettings settings) {
        // A failed journal write or read restarts the replica with a backoff and recovers it from a clean replay:
        // Pekko hands the same emptyState() object to every recovery, so Volume never changes its empty state
        // (see Volume#apply), and nothing else of the state lives outside Volume.
        super(PersistenceId.ofUniqueId("volume-" + entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.context = context;
        this.timers = timers;
        this.entityId = entityId;
        this.chunks = chunks;
        this.settings = settings;
        this.metrics = StrandMetrics.get(context.getSystem());
        this.frames = FrameBudget.of(context.getSystem());
        int dot = entityId.indexOf('.');
        try {
            this.volumeId = Long.parseLong(entityId.substring(0, dot));
            this.replicaIndex = Integer.parseInt(entityId.substring(dot + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("volume replica entity id '" + entityId
                    + "' is not <volumeId>.<replicaIndex>", e);
        }
    }

    @Override
    public Volume emptyState() {
        return Volume.uninitialized();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.snapshotsToKeep());
    }

    /** The live state is mutable and the snapshot store serialises later: it gets an immutable copy. */
    @Override
    public SnapshotAdapter<Volume> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(Volume volume) {
                return volume.toSnapshotWithRecentRequests(); // RETRIES: the window travels along
            }

            @Override
            public Volume fromJournal(Object snapshot) {
                if (snapshot instanceof RecentRequests.Snapshot withRecent) { // RETRIES
                    return Volume.fromSnapshot(withRecent);
                }
                return Volume.fromSnapshot((VolumeSnapshot) snapshot);
            }
        };
    }

    @Override
    public SignalHandler<Volume> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), volume -> {
                    timers.startTimerWithFixedDelay(new SweepTick(), settings.sweepInterval());
                    timers.startTimerWithFixedDelay(new ExpireCop2Tick(), cop2ExpiryCheckInterval());
                })
                .onSignal(PostStop.instance(), volume -> metrics.replicaStopped(entityId))
                .build();
    }

    // ---- commands ----------------------------------------------------------------------------

    @Override
    public CommandHandler<Command, VolumeEvent, Volume> commandHandler() {
        CommandHandlerBuilder<Command, VolumeEvent, Volume> builder = newCommandHandlerBuilder();

        builder.forState(volume -> !volume.isInitialized())
                .onCommand(Initialize.class, this::onInitialize)
                .onCommand(Execute.class, command -> noVolume(command.replyTo()))
                .onCommand(PrepareStore.class, command -> noVolume(command.replyTo()))
                .onCommand(CommitStore.class, command -> noVolume(command.replyTo()))
                .onCommand(OpenForFetch.class, command -> noVolume(command.replyTo()))
                .onCommand(GetStats.class, command -> noVolume(command.replyTo()))
                .onCommand(SweepBlobs.class, command -> noVolume(command.replyTo()))
                .onCommand(Validate.class, command -> noVolume(command.replyTo()))
                .onCommand(ListBlobReferences.class, command -> noVolume(command.replyTo()))
                .onCommand(ListBlobReferencesPage.class, command -> noVolume(command.replyTo()))
                .onCommand(ListPendingOperationsPage.class, command -> noVolume(command.replyTo()))
                .onCommand(Cop2.class, command -> noVolume(command.replyTo()))
                .onCommand(ListVersions.class, command -> noVolume(command.replyTo()))
                .onCommand(CompareVersions.class, command -> noVolume(command.replyTo()))
                .onCommand(ReadVnodes.class, command -> noVolume(command.replyTo()))
                .onCommand(ReadEntries.class, command -> noVolume(command.replyTo()))
                .onCommand(ReadRecentRequests.class, command -> noVolume(command.replyTo()))
                .onCommand(ListPendingOperations.class, command -> noVolume(command.replyTo()))
                .onCommand(InstallVnodes.class, command -> noVolume(command.replyTo()))
                .onCommand(InstallEntries.class, command -> noVolume(command.replyTo()))
                .onCommand(AdoptRecentRequests.class, command -> noVolume(command.replyTo()))
                .onCommand(CompleteCatchUp.class, command -> noVolume(command.replyTo()));

        builder.forState(Volume::isInitialized)
                .onCommand(Initialize.class, this::onInitializeAgain)
                .onCommand(Execute.class, this::onExecute)
                .onCommand(PrepareStore.class, this::onPrepareStore)
                .onCommand(CommitStore.class, this::onCommitStore)
                .onCommand(OpenForFetch.class, this::onOpenForFetch)
                .onCommand(GetStats.class, this::onGetStats)
                .onCommand(SweepBlobs.class, this::onSweepBlobs)
                .onCommand(SweepTick.class, (volume, command) ->
                        sweeping || volume.replicas() > 1 ? Effect().none() : startSweep(null))
                .onCommand(Cop2.class, this::onCop2)
                .onCommand(ExpireCop2Tick.class, this::onExpireCop2)
                .onCommand(Validate.class, this::onValidate)
                .onCommand(ListBlobReferences.class, this::onListBlobReferences)
                .onCommand(ListBlobReferencesPage.class, this::onListBlobReferencesPage)
                .onCommand(ListPendingOperationsPage.class, this::onListPendingOperationsPage)
                .onCommand(ListVersions.class, this::onListVersions)
                .onCommand(CompareVersions.class, this::onCompareVersions)
                .onCommand(ReadVnodes.class, this::onReadVnodes)
                .onCommand(ReadEntries.class, this::onReadEntries)
                .onCommand(ReadRecentRequests.class, this::onReadRecentRequests)
                .onCommand(ListPendingOperations.class, (volume, command) -> {
                    if (volume.pendingCop2().size() > frames.numbersPerPage()) { // would not fit one message
                        return reject(command.replyTo(), Status.UNAVAILABLE.exception("replica " + entityId
                                + " waits COP2 for too many operations to list at once; ask for pages"));
                    }
                    command.replyTo().tell(new Result.PendingOperations(volume.pendingCop2().entries().stream()
                            .map(dev.strand.cop2.PendingCop2.Entry::opId).toList()));
                    return Effect().none();
                })
                .onCommand(InstallVnodes.class, this::onInstallVnodes)
                .onCommand(InstallEntries.class, this::onInstallEntries)
                .onCommand(AdoptRecentRequests.class, this::onAdoptRecentRequests)
                .onCommand(CompleteCatchUp.class, this::onCompleteCatchUp)
                .onCommand(BlobsListed.class, this::onBlobsListed)
                .onCommand(DeleteFreedBlob.class, this::onDeleteFreedBlob);

        builder.forAnyState()
                .onCommand(SweepFinished.class, this::onSweepFinished)
                .onCommand(FreedBlobDeleted.class, this::onFreedBlobDeleted)
                .onAnyCommand(command -> Effect().none()); // timers of an uninitialised replica

        return builder.build();
    }

    private Effect<VolumeEvent, Volume> onInitialize(Volume volume, Initialize command) {
        try {
            requireThisVolume(command.volumeId());
            Names.checkVolumeName(command.volumeName());
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
        int replicas = Math.max(1, command.replicas());
        if (replicaIndex >= replicas) {
            return reject(command.replyTo(), new InvalidArgumentException("replica " + entityId
                    + " is not in a storage group of " + replicas));
        }
        VolumeEvent.VolumeInitialized event = new VolumeEvent.VolumeInitialized(command.volumeId(),
                command.volumeName(), command.createdMillis(), replicaIndex, replicas, UNAUTHENTICATED_PRINCIPAL,
                VnodeVersion.initial(replicas));
        return Effect().persist(event)
                .thenRun(after -> command.replyTo().tell(new Result.Done(after.info(replicas))));
    }

    private Effect<VolumeEvent, Volume> onInitializeAgain(Volume volume, Initialize command) {
        if (command.volumeId() != volume.volumeId() || !Objects.equals(command.volumeName(), volume.volumeName())) {
            return reject(command.replyTo(), Status.VOLUME_EXISTS.exception("replica " + entityId
                    + " already holds volume '" + volume.volumeName() + "' (id " + volume.volumeId() + ")"));
        }
        command.replyTo().tell(new Result.Done(volume.info(volume.replicas())));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onExecute(Volume volume, Execute command) {
        try {
            if (command.request() == null) {
                throw new BadRequestException("execute without a request");
            }
            Reply read = VolumeReads.answer(volume, command.request(), frames.pageBytes());
            if (read != null) {
                command.replyTo().tell(new Result.Done(read));
                return Effect().none();
            }
            Mutation mutation = Mutation.of(command.request(), origin(command.clientId(), command.requestId(),
                    command.cop1(), RequestDigest.of(command.request())));
            if (mutation == null) {
                throw new BadRequestException("a volume replica does not handle "
                        + command.request().getClass().getSimpleName());
            }
            return onceOnly(volume, mutation, command.cop1(), command.replyTo());
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        } catch (RuntimeException e) {
            return internalError(command.replyTo(), command.request(), e);
        }
    }

    private Effect<VolumeEvent, Volume> onCommitStore(Volume volume, CommitStore command) {
        try {
            if (pendingDeletes.contains(command.blobId())) {
                throw new InvalidArgumentException("blob " + command.blobId() + " was freed and is being deleted");
            }
            Origin origin = origin(command.clientId(), command.requestId(), command.cop1(),
                    RequestDigest.ofStore(command.fid(), command.length()));
            return onceOnly(volume, new StoreMutation(origin, command.fid(), command.blobId(), command.length()),
                    command.cop1(), command.replyTo());
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        } catch (RuntimeException e) {
            return internalError(command.replyTo(), command, e);
        }
    }

    /**
     * RETRIES: a mutation this replica already applied for (clientId, requestId) gets that answer again
     * instead of running twice, or REQUEST_ID_REUSED if the pair was applied for another request (see
     * {@link RecentRequests}); otherwise it runs. Update sets piggybacked on a retried COP1 still apply.
     */
    private Effect<VolumeEvent, Volume> onceOnly(Volume volume, Mutation mutation, Cop1 cop1,
                                                 ActorRef<Result> replyTo) {
        Origin origin = mutation.origin;
        Result again = volume.recentRequests().answerAgain(volume, origin.clientId(), origin.requestId(),
                origin.requestDigest(), System.currentTimeMillis());
        if (again == null) {
            return run(volume, mutation, cop1, replyTo);
        }
        replyTo.tell(again);
        List<VolumeEvent> cop2Events = cop2Events(volume, cop1);
        return cop2Events.isEmpty() ? Effect().none() : Effect().persist(cop2Events);
    }

    /** COP2 update sets that came piggybacked on a COP1 message, as the events that apply them here. */
    private List<VolumeEvent> cop2Events(Volume volume, Cop1 cop1) {
        List<VolumeEvent> cop2Events = new ArrayList<>();
        if (cop1 != null) {
            for (Cop2Update update : cop1.cop2()) {
                VolumeEvent.Cop2Applied applied = cop2Event(volume, update);
                if (applied != null) {
                    cop2Events.add(applied);
                }
            }
        }
        return cop2Events;
    }

    /**
     * The pipeline's outcome: one event persisted before the reply, or a reply alone. Under COP1 the
     * operation is also recorded as pending COP2, and the update sets piggybacked on it are applied, all
     * in one atomic write after the mutation's event (COP2 bumps commute with the mutation's own bump, so
     * the order does not change the resulting versions).
     */
    private Effect<VolumeEvent, Volume> run(Volume volume, Mutation mutation, Cop1 cop1, ActorRef<Result> replyTo) {
        List<VolumeEvent> cop2Events = cop2Events(volume, cop1);
        if (cop1 != null && volume.pendingCop2().pending(cop1.opId()) != null) { // never applied under a used id
            replyTo.tell(new Result.Rejected(Status.INTERNAL, "operation id " + cop1.opId()
                    + " is already pending on replica " + entityId + "; not applied"));
            return cop2Events.isEmpty() ? Effect().none() : Effect().persist(cop2Events);
        }
        Outcome outcome;
        try {
            outcome = mutation.plan(volume);
        } catch (StrandException e) { // refused here (not remembered: it changed nothing); its update sets count
            replyTo.tell(new Result.Rejected(e.status(), e.getMessage()));
            return cop2Events.isEmpty() ? Effect().none() : Effect().persist(cop2Events);
        }
        if (outcome instanceof Outcome.Unchanged unchanged) {
            replyTo.tell(new Result.Done(unchanged.reply()));
            return cop2Events.isEmpty() ? Effect().none() : Effect().persist(cop2Events);
        }
        VolumeEvent event = ((Outcome.Commit) outcome).event();
        List<VolumeEvent> events = new ArrayList<>();
        events.add(event);
        if (cop1 != null && volume.replicas() > 1) {
            events.add(new VolumeEvent.OperationRecorded(cop1.opId(), Volume.touchedVnodes(event),
                    System.currentTimeMillis()));
        }
        events.addAll(cop2Events);
        long persistStarted = metrics.persistStarted();
        return (events.size() == 1 ? Effect().persist(event) : Effect().persist(events)).thenRun(after -> {
            metrics.persisted(persistStarted);
            metrics.pendingCop2(entityId, after.pendingCop2().size());
            replyTo.tell(new Result.Done(mutation.reply(after), true));
            if (after.replicas() == 1) {
                scheduleDeletion(event.freedBlob());
            }
        });
    }

    /** The COP2 event for one update set, or null if the operation is not pending here (never was, or expired). */
    private VolumeEvent.Cop2Applied cop2Event(Volume volume, Cop2Update update) {
        var entry = volume.pendingCop2().pending(update.opId());
        if (entry == null || !update.updateSet().contains(replicaIndex)) {
            return null;
        }
        List<Integer> others = update.updateSet().stream()
                .filter(slot -> slot != replicaIndex && slot >= 0 && slot < volume.replicas())
                .distinct().toList();
        return new VolumeEvent.Cop2Applied(update.opId(), others, entry.vnodes());
    }

    private Effect<VolumeEvent, Volume> onCop2(Volume volume, Cop2 command) {
        List<VolumeEvent> events = new ArrayList<>();
        for (Cop2Update update : command.updates()) {
            VolumeEvent.Cop2Applied applied = cop2Event(volume, update);
            if (applied != null && events.stream().noneMatch(e -> ((VolumeEvent.Cop2Applied) e).opId() == update.opId())) {
                events.add(applied);
            }
        }
        int applied = events.size();
        if (events.isEmpty()) {
            reply(command.replyTo(), new Result.Cop2Done(0));
            return Effect().none();
        }
        return Effect().persist(events).thenRun(after -> reply(command.replyTo(), new Result.Cop2Done(applied)));
    }

    /**
     * Drops operations that waited longer than the expiry for their update set ({@link VolumeEvent.Cop2Expired}):
     * the objects they touched stay unequal until resolution.
     */
    private Effect<VolumeEvent, Volume> onExpireCop2(Volume volume, ExpireCop2Tick tick) {
        long cutoff = System.currentTimeMillis() - settings.cop2Expiry().toMillis();
        List<Long> expired = volume.pendingCop2().entries().stream()
                .filter(e -> e.recordedMillis() < cutoff).map(dev.strand.cop2.PendingCop2.Entry::opId)
                .limit(MAX_EXPIRED_PER_EVENT).toList(); // the rest at the next check: an event stays small
        metrics.pendingCop2(entityId, volume.pendingCop2().size());
        if (expired.isEmpty()) {
            return Effect().none();
        }
        context.getLog().info("Replica {}: {} operations expired without their COP2 (first op {})", entityId,
                expired.size(), expired.get(0));
        return Effect().persist(new VolumeEvent.Cop2Expired(expired));
    }

    private static final int MAX_EXPIRED_PER_EVENT = 1000;

    private Duration cop2ExpiryCheckInterval() {
        Duration tenth = settings.cop2Expiry().dividedBy(10);
        return tenth.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100)
                : tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
    }

    private Effect<VolumeEvent, Volume> onValidate(Volume volume, Validate command) {
        try {
            Vnode vnode = volume.resolve(command.fid());
            VnodeVersion version = vnode.version();
            command.replyTo().tell(new Result.Validation(List.of(new ReplicaVersion(replicaIndex, node(), true,
                    version.versionVector().toList(), version.dataVersion(), null)), true));
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onListBlobReferences(Volume volume, ListBlobReferences command) {
        List<UUID> blobs = volume.referencedBlobs();
        if (blobs.size() > frames.uuidsPerPage()) { // would not fit one message: the previous release's sweep skips
            return reject(command.replyTo(), Status.UNAVAILABLE.exception("replica " + entityId + " references "
                    + blobs.size() + " blobs, too many for one message; ask for pages"));
        }
        command.replyTo().tell(new Result.BlobReferences(replicaIndex, blobs));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onListBlobReferencesPage(Volume volume, ListBlobReferencesPage command) {
        ReplicaPages.BlobPage page = ReplicaPages.blobReferences(volume, command.afterVnode(), frames.uuidsPerPage());
        command.replyTo().tell(new Result.BlobReferencesPage(replicaIndex, page.blobIds(), page.lastVnode(),
                page.last()));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onListPendingOperationsPage(Volume volume, ListPendingOperationsPage command) {
        int max = frames.numbersPerPage();
        List<Long> page = ReplicaPages.pendingOperations(volume, command.skip(), max);
        command.replyTo().tell(new Result.PendingOperationsPage(page,
                Math.max(0, command.skip()) + page.size() >= volume.pendingCop2().size()));
        return Effect().none();
    }

    // ---- catching up ---------------------------------------------------------------------------

    private Effect<VolumeEvent, Volume> onListVersions(Volume volume, ListVersions command) {
        int max = Math.max(1, Math.min(command.max(), VnodeSync.SUMMARY_PAGE));
        List<VnodeSync.Summary> page = VnodeSync.summaries(volume, command.after(), max);
        boolean last = page.size() < max || volume.vnodesAfter(page.get(page.size() - 1).vnode()).isEmpty();
        command.replyTo().tell(new Result.Versions(page, last, volume.versionVector(), volume.nextVnodeNumber(),
                volume.nextUniquifier()));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onCompareVersions(Volume volume, CompareVersions command) {
        command.replyTo().tell(new Result.Compared(VnodeSync.compare(volume, command.after(), command.source(),
                command.last())));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onReadVnodes(Volume volume, ReadVnodes command) {
        command.replyTo().tell(new Result.VnodeImages(VnodeSync.images(volume, command.vnodes(), frames.pageBytes())));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onReadEntries(Volume volume, ReadEntries command) {
        Vnode dir = volume.vnode(command.vnode());
        if (dir == null || !dir.isDirectory() || dir.version().dataVersion() != command.dataVersion()) {
            return reject(command.replyTo(), Status.STALE.exception("directory " + command.vnode()
                    + " of volume " + volumeId + " changed or went since its first entries were read"));
        }
        command.replyTo().tell(new Result.DirectoryEntries(VnodeSync.entries(dir, command.afterName(),
                frames.pageBytes()), dir.version()));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onReadRecentRequests(Volume volume, ReadRecentRequests command) {
        command.replyTo().tell(new Result.RecentRequestsPage(ReplicaPages.recentRequests(volume.recentRequests().page(
                command.skip(), Math.max(1, Math.min(command.max(), 1000))), frames.pageBytes())));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onInstallVnodes(Volume volume, InstallVnodes command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
            for (VolumeSnapshot.VnodeRecord record : command.vnodes()) {
                if (record.versionVector() == null || record.versionVector().size() != volume.replicas()) {
                    throw new BadRequestException("vnode " + record.vnode() + " comes with a version vector of "
                            + (record.versionVector() == null ? 0 : record.versionVector().size())
                            + " slots; volume " + volumeId + " has " + volume.replicas() + " replicas");
                }
            }
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
        int items = command.vnodes().size() + (command.removed() == null ? 0 : command.removed().size());
        return Effect().persist(new VolumeEvent.VnodesInstalled(command.sourceReplica(), command.vnodes(),
                command.incomplete(), command.removed())).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(items)));
    }

    private Effect<VolumeEvent, Volume> onInstallEntries(Volume volume, InstallEntries command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
        int items = command.entries() == null ? 0 : command.entries().size();
        return Effect().persist(new VolumeEvent.EntriesInstalled(command.sourceReplica(), command.vnode(),
                command.entries(), command.completedVersion())).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(items)));
    }

    private Effect<VolumeEvent, Volume> onAdoptRecentRequests(Volume volume, AdoptRecentRequests command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
        int items = command.entries() == null ? 0 : command.entries().size();
        return Effect().persist(new VolumeEvent.RecentRequestsAdopted(command.sourceReplica(), command.entries()))
                .thenRun(after -> reply(command.replyTo(), new Result.Installed(items)));
    }

    private Effect<VolumeEvent, Volume> onCompleteCatchUp(Volume volume, CompleteCatchUp command) {
        try {
            requireOtherReplica(volume, command.sourceReplica());
            if (command.volumeVector() == null || command.volumeVector().size() != volume.replicas()) {
                throw new BadRequestException("a catch-up of volume " + volumeId + " must end with a version vector of "
                        + volume.replicas() + " slots");
            }
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
        context.getLog().info("Replica {} caught up from replica {}: volume vector {} -> {}", entityId,
                command.sourceReplica(), volume.versionVector(), command.volumeVector());
        return Effect().persist(new VolumeEvent.CaughtUp(command.sourceReplica(), command.volumeVector(),
                command.nextVnode(), command.nextUnique())).thenRun(after -> reply(command.replyTo(),
                new Result.Installed(0)));
    }

    private void requireOtherReplica(Volume volume, int sourceReplica) {
        if (sourceReplica == replicaIndex || sourceReplica < 0 || sourceReplica >= volume.replicas()) {
            throw new InvalidArgumentException("replica " + entityId + " cannot catch up from replica "
                    + sourceReplica + " of a storage group of " + volume.replicas());
        }
    }

    private Effect<VolumeEvent, Volume> onSweepBlobs(Volume volume, SweepBlobs command) {
        if (volume.replicas() > 1) {
            return reject(command.replyTo(), new BadRequestException("replica " + entityId + " of a volume of "
                    + volume.replicas() + " replicas does not delete blobs itself; its coordinator sweeps"));
        }
        return startSweep(command.replyTo());
    }

    /** Where this replica runs (the actor system's address; the cluster node once there are several). */
    private String node() {
        return context.getSystem().address().hostPort();
    }

    private static void reply(ActorRef<Result> replyTo, Result result) {
        if (replyTo != null) {
            replyTo.tell(result);
        }
    }

    private Effect<VolumeEvent, Volume> onPrepareStore(Volume volume, PrepareStore command) {
        try {
            // permission to write joins the check here when authentication lands
            command.replyTo().tell(new Result.Done(volume.attr(volume.resolveRegularFile(command.fid()))));
            return Effect().none();
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
    }

    private Effect<VolumeEvent, Volume> onOpenForFetch(Volume volume, OpenForFetch command) {
        try {
            Vnode file = volume.resolveRegularFile(command.fid());
            command.replyTo().tell(new Result.FetchTarget(volume.attr(file), file.blobId(), file.blobLength()));
            return Effect().none();
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        }
    }

    private Effect<VolumeEvent, Volume> onGetStats(Volume volume, GetStats command) {
        command.replyTo().tell(new Result.Stats(volume.volumeId(), volume.volumeName(), volume.createdMillis(),
                volume.files(), volume.directories(), volume.symlinks(), volume.bytes(),
                volume.versionVector().toList(), new ReplicaSummary(replicaIndex, entityId, node(), true,
                volume.versionVector().toList(), volume.pendingCop2().size()), null));
        return Effect().none();
    }

    // ---- blob garbage ------------------------------------------------------------------------

    /** A freed blob is deleted after a delay, so that fetches already reading it can finish. */
    private void scheduleDeletion(UUID blobId) {
        if (blobId != null) {
            pendingDeletes.add(blobId);
            timers.startSingleTimer(new DeleteFreedBlob(blobId), settings.blobDeleteDelay());
        }
    }

    private Effect<VolumeEvent, Volume> onDeleteFreedBlob(Volume volume, DeleteFreedBlob command) {
        if (volume.referencesBlob(command.blobId())) {
            pendingDeletes.remove(command.blobId());
            return Effect().none();
        }
        context.pipeToSelf(deleteBlob(command.blobId()),
                (ok, failure) -> new FreedBlobDeleted(command.blobId(), failure));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onFreedBlobDeleted(FreedBlobDeleted message) {
        pendingDeletes.remove(message.blobId());
        if (message.failure() != null) {
            context.getLog().warn("Could not delete freed blob {} of volume {}; the sweep will retry: {}",
                    message.blobId(), volumeId, message.failure().toString());
        }
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> startSweep(ActorRef<Result> replyTo) {
        sweeping = true;
        context.pipeToSelf(listBlobs(), (blobs, failure) -> new BlobsListed(blobs, failure, replyTo));
        return Effect().none();
    }

    /**
     * Deletes the listed blobs that no vnode references, that are not already waiting for deletion and
     * that have not been touched for the idle age (a blob still being uploaded is touched as it grows).
     */
    private Effect<VolumeEvent, Volume> onBlobsListed(Volume volume, BlobsListed message) {
        if (message.failure() != null) {
            return finishSweep(List.of(), message.failure(), message.replyTo());
        }
        long idleSince = System.currentTimeMillis() - settings.idleBlobAge().toMillis();
        List<UUID> garbage = new ArrayList<>();
        for (ChunkStore.BlobRecord blob : message.blobs()) {
            if (garbage.size() >= frames.uuidsPerPage()) {
                break; // a page per sweep: the answer fits one message, the rest goes next time
            }
            if (!volume.referencesBlob(blob.blobId()) && !pendingDeletes.contains(blob.blobId())
                    && blob.touchedMillis() < idleSince) {
                garbage.add(blob.blobId());
            }
        }
        CompletableFuture<?>[] deletions = garbage.stream()
                .map(blobId -> deleteBlob(blobId).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        context.pipeToSelf(CompletableFuture.allOf(deletions),
                (ok, failure) -> new SweepFinished(List.copyOf(garbage), failure, message.replyTo()));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onSweepFinished(SweepFinished message) {
        return finishSweep(message.deleted(), message.failure(), message.replyTo());
    }

    private Effect<VolumeEvent, Volume> finishSweep(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo) {
        sweeping = false;
        if (failure != null) {
            context.getLog().warn("Blob sweep of volume {} failed: {}", volumeId, failure.toString());
            if (replyTo != null) {
                replyTo.tell(new Result.Rejected(Status.IO_ERROR, "blob sweep of volume " + volumeId
                        + " failed: " + failure.getMessage()));
            }
        } else {
            if (!deleted.isEmpty()) {
                context.getLog().info("Blob sweep of volume {} deleted {} unreferenced blobs", volumeId,
                        deleted.size());
            }
            if (replyTo != null) {
                replyTo.tell(new Result.Swept(deleted));
            }
        }
        return Effect().none();
    }

    private CompletionStage<Void> deleteBlob(UUID blobId) {
        try {
            return chunks.deleteBlob(volumeId, blobId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<List<ChunkStore.BlobRecord>> listBlobs() {
        try {
            return chunks.listBlobs(volumeId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Under COP1 the coordinator's time, so that every replica stamps the same times. */
    private Origin origin(String clientId, long requestId, Cop1 cop1, String requestDigest) {
        long time = cop1 != null && cop1.timeMillis() > 0 ? cop1.timeMillis() : System.currentTimeMillis();
        return new Origin(clientId, requestId, UNAUTHENTICATED_PRINCIPAL, time, requestDigest);
    }

    private void requireThisVolume(long requestedVolumeId) {
        if (requestedVolumeId != volumeId) {
            throw new InvalidArgumentException("replica " + entityId + " cannot hold volume " + requestedVolumeId);
        }
    }

    private Effect<VolumeEvent, Volume> noVolume(ActorRef<Result> replyTo) {
        replyTo.tell(new Result.Rejected(Status.NO_SUCH_VOLUME, "volume " + volumeId + " does not exist here"));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> reject(ActorRef<Result> replyTo, StrandException e) {
        replyTo.tell(new Result.Rejected(e.status(), e.getMessage()));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> internalError(ActorRef<Result> replyTo, Object what, RuntimeException e) {
        context.getLog().error("Volume {} failed on {}", entityId, what, e);
        replyTo.tell(new Result.Rejected(Status.INTERNAL, "internal error in volume " + volumeId + ": " + e));
        return Effect().none();
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public EventHandler<Volume, VolumeEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(Volume::apply);
    }
}

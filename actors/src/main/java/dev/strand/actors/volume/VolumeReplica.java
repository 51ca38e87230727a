package dev.strand.actors.volume;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.strand.actors.CborSerializable;
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
 *       {@code strand.volume.sweep-interval} while the replica is active.</li>
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

    public record Initialize(long volumeId, String volumeName, long createdMillis, ActorRef<Result> replyTo)
            implements Command {}

    /** {@code clientId}/{@code requestId} identify the request (recorded in events; retries later). */
    public record Execute(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Request request, String clientId,
                          long requestId, ActorRef<Result> replyTo) implements Command {}

    public record PrepareStore(Fid fid, ActorRef<Result> replyTo) implements Command {}

    public record CommitStore(Fid fid, UUID blobId, long length, String clientId, long requestId,
                              ActorRef<Result> replyTo) implements Command {}

    public record OpenForFetch(Fid fid, ActorRef<Result> replyTo) implements Command {}

    public record GetStats(ActorRef<Result> replyTo) implements Command {}

    /** Runs the blob sweep now; answers {@link Result.Swept} or {@link Result.Rejected} (IO_ERROR). */
    public record SweepBlobs(ActorRef<Result> replyTo) implements Command {}

    // internal messages: results of timers and of asynchronous work, never sent between nodes

    private record SweepTick() implements Command, NoSerializationVerificationNeeded {}

    private record BlobsListed(List<ChunkStore.BlobRecord> blobs, Throwable failure, ActorRef<Result> replyTo)
            implements Command, NoSerializationVerificationNeeded {}

    private record SweepFinished(List<UUID> deleted, Throwable failure, ActorRef<Result> replyTo)
            implements Command, NoSerializationVerificationNeeded {}

    private record DeleteFreedBlob(UUID blobId) implements Command, NoSerializationVerificationNeeded {}

    private record FreedBlobDeleted(UUID blobId, Throwable failure)
            implements Command, NoSerializationVerificationNeeded {}

    // ---- results -----------------------------------------------------------------------------

    public sealed interface Result extends CborSerializable {
        record Done(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Reply reply) implements Result {}

        record Rejected(Status status, String message) implements Result {}

        /** {@code blobId} is null for a file that was never stored; bytes in [blobLength, size) read as zeros. */
        record FetchTarget(Attr attr, UUID blobId, long blobLength) implements Result {}

        record Stats(long volumeId, String volumeName, long createdMillis, long files, long directories,
                     long symlinks, long bytes, List<Long> versionVector) implements Result {}

        /** The blobs a sweep deleted. */
        record Swept(List<UUID> deleted) implements Result {}
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

    /** Freed blobs waiting for their delayed deletion; the sweep leaves them alone. */
    private final Set<UUID> pendingDeletes = new HashSet<>();
    private boolean sweeping;

    private VolumeReplica(ActorContext<Command> context, TimerScheduler<Command> timers, String entityId,
                          ChunkStore chunks, VolumeSettings settings) {
        super(PersistenceId.ofUniqueId("volume-" + entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.context = context;
        this.timers = timers;
        this.entityId = entityId;
        this.chunks = chunks;
        this.settings = settings;
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
                return volume.toSnapshot();
            }

            @Override
            public Volume fromJournal(Object snapshot) {
                return Volume.fromSnapshot((VolumeSnapshot) snapshot);
            }
        };
    }

    @Override
    public SignalHandler<Volume> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), volume ->
                        timers.startTimerWithFixedDelay(new SweepTick(), settings.sweepInterval()))
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
                .onCommand(SweepBlobs.class, command -> noVolume(command.replyTo()));

        builder.forState(Volume::isInitialized)
                .onCommand(Initialize.class, this::onInitializeAgain)
                .onCommand(Execute.class, this::onExecute)
                .onCommand(PrepareStore.class, this::onPrepareStore)
                .onCommand(CommitStore.class, this::onCommitStore)
                .onCommand(OpenForFetch.class, this::onOpenForFetch)
                .onCommand(GetStats.class, this::onGetStats)
                .onCommand(SweepBlobs.class, (volume, command) -> startSweep(command.replyTo()))
                .onCommand(SweepTick.class, (volume, command) -> sweeping ? Effect().none() : startSweep(null))
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
        VolumeEvent.VolumeInitialized event = new VolumeEvent.VolumeInitialized(command.volumeId(),
                command.volumeName(), command.createdMillis(), replicaIndex, 1, UNAUTHENTICATED_PRINCIPAL,
                VnodeVersion.first(1, replicaIndex));
        return Effect().persist(event)
                .thenRun(after -> command.replyTo().tell(new Result.Done(after.info(1))));
    }

    private Effect<VolumeEvent, Volume> onInitializeAgain(Volume volume, Initialize command) {
        if (command.volumeId() != volume.volumeId() || !Objects.equals(command.volumeName(), volume.volumeName())) {
            return reject(command.replyTo(), Status.VOLUME_EXISTS.exception("replica " + entityId
                    + " already holds volume '" + volume.volumeName() + "' (id " + volume.volumeId() + ")"));
        }
        command.replyTo().tell(new Result.Done(volume.info(1)));
        return Effect().none();
    }

    private Effect<VolumeEvent, Volume> onExecute(Volume volume, Execute command) {
        try {
            if (command.request() == null) {
                throw new BadRequestException("execute without a request");
            }
            Reply read = VolumeReads.answer(volume, command.request());
            if (read != null) {
                command.replyTo().tell(new Result.Done(read));
                return Effect().none();
            }
            Mutation mutation = Mutation.of(command.request(), origin(command.clientId(), command.requestId()));
            if (mutation == null) {
                throw new BadRequestException("a volume replica does not handle "
                        + command.request().getClass().getSimpleName());
            }
            return run(volume, mutation, command.replyTo());
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
            return run(volume, new StoreMutation(origin(command.clientId(), command.requestId()), command.fid(),
                    command.blobId(), command.length()), command.replyTo());
        } catch (StrandException e) {
            return reject(command.replyTo(), e);
        } catch (RuntimeException e) {
            return internalError(command.replyTo(), command, e);
        }
    }

    /** The pipeline's outcome: one event persisted before the reply, or a reply alone. */
    private Effect<VolumeEvent, Volume> run(Volume volume, Mutation mutation, ActorRef<Result> replyTo) {
        Outcome outcome = mutation.plan(volume);
        if (outcome instanceof Outcome.Unchanged unchanged) {
            replyTo.tell(new Result.Done(unchanged.reply()));
            return Effect().none();
        }
        VolumeEvent event = ((Outcome.Commit) outcome).event();
        return Effect().persist(event).thenRun(after -> {
            replyTo.tell(new Result.Done(mutation.reply(after)));
            scheduleDeletion(event.freedBlob());
        });
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
                volume.versionVector().toList()));
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

    private Origin origin(String clientId, long requestId) {
        return new Origin(clientId, requestId, UNAUTHENTICATED_PRINCIPAL, System.currentTimeMillis());
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

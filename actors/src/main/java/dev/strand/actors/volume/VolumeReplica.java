package dev.strand.actors.volume;

import dev.strand.conflictrepair.PlanStep;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.ResolutionLog;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.strand.actors.CborSerializable;
import dev.strand.actors.fencing.NodeLease;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.util.List;
import java.util.UUID;

/**
 * One replica of one volume: an event-sourced, sharded entity holding the volume's vnodes and directories. Entity id:
 * {@code "<volumeId>.<replicaIndex>"} (see {@link #entityId}). This file is its protocol, the contract the connection
 * actor, the coordinator and the registry rely on; its behaviour ({@link ReplicaBehavior}) wires it to Pekko, and
 * the handlers beside it are named after what they handle. The messages cross nodes under their Java class names,
 * nested here (golden files in actors/src/test/resources/compat keep them readable).
 * <ul>
 *   <li>A volume's life and its requests ({@link MutationCommands}, {@link ReplicaQueries}): {@link Initialize},
 *       {@link Execute}, {@link PrepareStore}, {@link CommitStore}, {@link CommitPut}, {@link OpenForFetch},
 *       {@link GetStats}, {@link Validate}.</li>
 *   <li>Replication: an {@link Execute}, {@link CommitStore} or {@link CommitPut} with a {@link Cop1} is the
 *       coordinator's operation {@code opId}: its update sets of earlier operations (COP2) are applied first, then
 *       the mutation, whose event bumps this replica's slot and is recorded in the pending-COP2 table
 *       ({@link VolumeEvent.OperationRecorded}). {@link Cop2} delivers update sets on their own. Pending
 *       operations expire after {@code strand.volume.cop2-expiry} ({@link VolumeEvent.Cop2Expired}).</li>
 *   <li>Blobs ({@link BlobGarbage}): {@link SweepBlobs}, and {@link ListBlobReferencesPage} for a coordinator's
 *       sweep across the storage group.</li>
 *   <li>Catching up ({@link CatchUpCommands}, {@link VnodeSync}): the source's side only reads, the target's side
 *       persists the source's state as this replica's events.</li>
 *   <li>Resolution ({@link ResolutionCommands}) and conflicts ({@link RepairCommands}).</li>
 * </ul>
 * Every answer that carries a list is paged to fit one remoting frame ({@link dev.strand.volume.FrameBudget}).
 * Commands to an uninitialised replica are rejected with NO_SUCH_VOLUME.
 */
public final class VolumeReplica {

    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "VolumeReplica");

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

    /**
     * Idempotent; creates the root directory on first use: {@code Done(VolumeInfo)}. {@code replicas}: the size of
     * the storage group (this replica's version vectors have that many slots).
     */
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
     * A read (GetAttr, Walk, ReadDir, ReadLink) answered from state, or a namespace mutation (Create, MkDir, Symlink,
     * Link, Remove, RmDir, Rename, SetAttr) run through the pipeline validate -> get objects -> check semantics ->
     * perform -> commit one event: {@link Result.Done} with the opcode's reply type, or {@link Result.Rejected}; any
     * other request is a BAD_REQUEST.
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

    /** Checks that the fid is a regular file that may be written: {@code Done(Attr)}. */
    public record PrepareStore(Fid fid, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * Makes an already written blob the file's contents: {@code Done(Attr)}. The blob it replaces is deleted
     * {@code strand.volume.blob-delete-delay} later.
     */
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

    /** A PUT whose bytes are in blob {@code blobId} ({@link dev.strand.volume.PutMutation}): {@code Done(Attr)}. */
    public record CommitPut(Fid dir, String name, int mode, UUID blobId, long length, String requestDigest,
                            String clientId, long requestId, ActorRef<Result> replyTo, Cop1 cop1)
            implements Command, ExpectsAnswer {}

    /** Update sets sent on their own; answers {@link Result.Cop2Done} if {@code replyTo} is not null. */
    public record Cop2(List<Cop2Update> updates, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** This replica's version of one object; answers {@link Result.Validation} (one replica) or Rejected. */
    public record Validate(Fid fid, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * Answers {@link Result.BlobReferences}: the blobs this replica's files hold, if they fit in one message
     * (else UNAVAILABLE). Sent by coordinators of the previous release; this one pages ({@link ListBlobReferencesPage}).
     */
    public record ListBlobReferences(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** The blobs of this replica's vnodes above {@code afterVnode} (0: from the first), one page: {@link Result.BlobReferencesPage}. */
    public record ListBlobReferencesPage(long afterVnode, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** The blob to read for a regular file: {@link Result.FetchTarget}. */
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

    /** The operations awaiting COP2 here, in one message if they fit (else UNAVAILABLE): {@link Result.PendingOperations}
     * (sent by coordinators of the previous release; this one pages). */
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
                                 VnodeVersion completedVersion, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Adopts part of the source's retry window: {@link Result.Installed}. */
    public record AdoptRecentRequests(int sourceReplica, List<RecentRequests.Entry> entries,
                                      ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Takes a page of the source's conflicts, the {@code first} replacing this replica's: {@link Result.Installed}. */
    public record AdoptConflicts(int sourceReplica, List<ConflictRecord> conflicts, boolean first,
                                 ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** Ends a catch-up: the source's volume vector and fid counters: {@link Result.Installed}. */
    public record CompleteCatchUp(int sourceReplica, VersionVector volumeVector, long nextVnode, long nextUnique,
                                  ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    // ---- resolution (ResolutionCommands): read the input, then perform the plan's steps --------------

    /**
     * A page of this replica's resolution log, from its entry {@code skip} (0 in messages of earlier releases, which
     * read the whole log): {@link Result.ResolutionLogRead}, cut to fit one message.
     */
    public record ReadResolutionLog(ActorRef<Result> replyTo, int skip) implements Command, ExpectsAnswer {
        public ReadResolutionLog(ActorRef<Result> replyTo) {
            this(replyTo, 0);
        }
    }

    /**
     * A page of the images of these vnodes and the directories above them, from piece {@code skip}: a large directory
     * comes as pieces the reader joins (VnodeImages.joinPieces); {@link Result.ResolutionImages}, fitting one message.
     */
    public record ReadResolutionImages(List<Long> vnodes, ActorRef<Result> replyTo, int skip)
            implements Command, ExpectsAnswer {
        public ReadResolutionImages {
            vnodes = List.copyOf(vnodes);
        }

        public ReadResolutionImages(List<Long> vnodes, ActorRef<Result> replyTo) {
            this(vnodes, replyTo, 0);
        }
    }

    /**
     * Performs a resolution's steps, marks its conflicts and adopts the group's volume vector and fid counters, all in
     * one atomic write (which also empties its resolution log and pending-COP2 table): {@link Result.Installed}.
     */
    public record ApplyResolution(List<PlanStep> steps, VersionVector volumeVector, long nextVnode, long nextUnique,
                                  ActorRef<Result> replyTo, List<ConflictRecord> conflicts,
                                  long resolution) implements Command, ExpectsAnswer {
        /**
         * {@code conflicts}: marked in the same write (absent, so none, from coordinators before conflict marking);
         * {@code resolution}: the id under which steps and conflicts were staged before this ({@link StageResolution}),
         * performed first; 0 (and absent from earlier releases): none. {@code volumeVector} null: a round of a
         * full comparison, its steps and conflicts only (the vector, log and overflow mark stay as they are).
         */
        public ApplyResolution {
            steps = List.copyOf(steps);
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }

        public ApplyResolution(List<PlanStep> steps, VersionVector volumeVector, long nextVnode, long nextUnique,
                               ActorRef<Result> replyTo, List<ConflictRecord> conflicts) {
            this(steps, volumeVector, nextVnode, nextUnique, replyTo, conflicts, 0);
        }

        public ApplyResolution(List<PlanStep> steps, VersionVector volumeVector, long nextVnode, long nextUnique,
                               ActorRef<Result> replyTo) {
            this(steps, volumeVector, nextVnode, nextUnique, replyTo, null, 0);
        }
    }

    /**
     * Part of a resolution too large for one message: held (not applied, not journalled) until the
     * {@link ApplyResolution} of the same {@code resolution} id performs it with its own part, in one atomic write.
     * A stage of another id drops what was held. {@link Result.Installed} (the items held so far) or UNAVAILABLE
     * beyond {@code ResolutionCommands.MAX_STAGED_BYTES}.
     */
    public record StageResolution(long resolution, List<PlanStep> steps,
                                  List<ConflictRecord> conflicts, ActorRef<Result> replyTo)
            implements Command, ExpectsAnswer {
        public StageResolution {
            steps = steps == null ? List.of() : List.copyOf(steps);
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }
    }

    /**
     * Every replica of the group was seen current with volume vector {@code volumeVector} at a quiet moment: they
     * hold the same operations, so none this replica logged is missing anywhere. If its vector is still that one,
     * its log's entries go ({@link dev.strand.volume.VolumeEvent.ResolutionLogTruncated}): {@link Result.Installed}
     * with how many; CHANGED if its vector moved on.
     */
    public record ForgetSettledLog(VersionVector volumeVector, ActorRef<Result> replyTo)
            implements Command, ExpectsAnswer {}

    // ---- conflicts and their repair (RepairCommands; the coordinator asks every replica) ------------------

    /** A page of this replica's conflicts after the first {@code skip}: {@link Result.ConflictsPage}. */
    public record ListConflicts(int skip, int max, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * This replica's version of what {@code name} in {@code dir} is bound to here, objects in conflict included:
     * {@link Result.ObjectVersions} (one version from a replica, every replica's from the coordinator). A null
     * {@code name}: the object {@code dir} itself, of any type ({@code strand repair dir} reads directories, objects).
     */
    public record ReadObjectVersion(Fid dir, String name, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * To the coordinator: replica {@code keep}'s version of the file {@code name} in {@code dir} (in conflict) becomes
     * every replica's, with file {@code from}'s contents if not null, and the conflict is cleared. {@code Done(Attr)}.
     */
    public record RepairFile(Fid dir, String name, int keep, Fid from, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * To the coordinator ({@code strand repair dir}): for each {@code names[i]} of {@code dir} (in conflict), the
     * object replica {@code keep[i]} binds it to (or none) becomes every replica's binding; the other replicas' objects
     * bound to it are removed or, with {@code renameOthers}, kept as {@code NAME.conflict-r<replica>}. Every replica
     * must answer. {@code Done(Attr)} of the directory.
     */
    public record RepairDir(Fid dir, List<String> names, List<Integer> keep, boolean renameOthers,
                            ActorRef<Result> replyTo) implements Command, ExpectsAnswer {
        public RepairDir {
            names = List.copyOf(names);
            keep = List.copyOf(keep);
        }
    }

    /**
     * To a replica: in directory {@code dir}, entries {@code names} are unbound and {@code bindings} bound;
     * {@code objects} are installed as given (the same on every replica), {@code dropped} removed where present; the
     * directory gets {@code dirStamp}'s version and times; every conflict naming one of {@code names} or
     * {@code cleared} ends ({@link VolumeEvent.NamesRepaired}); {@code otherDirs}: other directories' names of those
     * conflicts, settled alike (absent, so none, before); {@code staged} (absent, so 0, before): the {@link StageRepair} id whose objects and
     * removals come first (0: none). One atomic write: {@code Done(Attr)} of the directory.
     */
    public record RepairNames(Fid dir, List<String> names, List<VolumeSnapshot.EntryRecord> bindings,
                              List<VolumeSnapshot.VnodeRecord> objects, List<Fid> dropped, PlanStep.Stamp dirStamp,
                              List<Fid> cleared, List<dev.strand.conflictrepair.RepairPlanner.OtherDir> otherDirs,
                              ActorRef<Result> replyTo, long staged) implements Command, ExpectsAnswer {
        public RepairNames {
            names = List.copyOf(names);
            bindings = List.copyOf(bindings);
            objects = List.copyOf(objects);
            dropped = List.copyOf(dropped);
            cleared = List.copyOf(cleared);
            otherDirs = otherDirs == null ? List.of() : List.copyOf(otherDirs);
        }
    }

    /**
     * To a replica ({@code strand repair dir} of a name bound to a directory): a page of directory {@code dir}'s
     * subtree here, after the first {@code skip} pieces ({@link dev.strand.conflictrepair.ReplicaRepairs#subtreeInPieces}:
     * the directory first, depth first, large directories in pieces): {@link Result.ResolutionImages}, {@code more}
     * while pieces follow; none if {@code dir} is no directory here.
     */
    public record ReadSubtree(Fid dir, int skip, ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * To a replica: part of repair {@code repair}'s objects to install ({@code objects}: records, a large directory's
     * in consecutive pieces) and to remove ({@code dropped}), held until the {@link RepairNames} with {@code staged}
     * {@code repair} performs them in its one write (a repair too large for one message). {@link Result.Installed}
     * with how many are held; a part of another repair drops what was held.
     */
    public record StageRepair(long repair, List<VolumeSnapshot.VnodeRecord> objects, List<Fid> dropped,
                              ActorRef<Result> replyTo) implements Command, ExpectsAnswer {
        public StageRepair {
            objects = objects == null ? List.of() : List.copyOf(objects);
            dropped = dropped == null ? List.of() : List.copyOf(dropped);
        }
    }

    /**
     * To a replica: performs a repair's {@code steps} for {@code object} and clears every conflict naming it, in one
     * atomic write ({@link VolumeEvent.ConflictRepaired}): {@code Done(Attr)}.
     */
    public record RepairObject(Fid object, List<PlanStep> steps, ActorRef<Result> replyTo)
            implements Command, ExpectsAnswer {
        public RepairObject {
            steps = List.copyOf(steps);
        }
    }

    /** Usage figures: {@link Result.Stats}. */
    public record GetStats(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * To a coordinator ({@code strand repair check}): compare the replicas' volume vectors now and start what they
     * need (catch-up, resolution); answers {@link Result.GroupChecked}. A replica refuses it (BAD_REQUEST).
     */
    public record CheckGroup(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /**
     * Deletes the blobs no vnode references, idle for {@code strand.volume.idle-blob-age} ({@link Result.Swept}); also
     * every {@code strand.volume.sweep-interval}. One replica only: with more, the coordinator sweeps across the group.
     */
    public record SweepBlobs(ActorRef<Result> replyTo) implements Command, ExpectsAnswer {}

    /** The replica's own messages (timers, async results), never sent between nodes; declared beside their handlers. */
    non-sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

    // ---- results -----------------------------------------------------------------------------

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

        /** {@code self}: the answering replica; {@code group}: every replica, from the coordinator (else null). */
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

        /** Every replica after a {@link CheckGroup}: its summary and state; {@code started}: what the check started. */
        record GroupChecked(List<ReplicaSummary> group, List<String> started) implements Result {}

        /** The blobs a sweep deleted: at most a page of them per sweep (the rest go at the next one). */
        record Swept(List<UUID> deleted) implements Result {}

        /** A page of a source's vnode versions ({@code last}: none beyond), its volume vector and fid counters. */
        record Versions(List<VnodeSync.Summary> summaries, boolean last,
                        VersionVector volumeVector, long nextVnode, long nextUnique)
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

        /**
         * A page of a replica's resolution log as a resolution reads it, with its fid counters and volume vector;
         * {@code more}: entries follow (absent, so false, from earlier releases, which sent the whole log).
         */
        record ResolutionLogRead(List<ResolutionLog.Entry> entries, boolean overflowed, long nextVnode,
                                 long nextUnique, VersionVector volumeVector, boolean more) implements Result {
            public ResolutionLogRead(List<ResolutionLog.Entry> entries, boolean overflowed, long nextVnode,
                                     long nextUnique, VersionVector volumeVector) {
                this(entries, overflowed, nextVnode, nextUnique, volumeVector, false);
            }
        }

        /** A page of conflicts; {@code last}: none follow. */
        record ConflictsPage(List<ConflictEntry> conflicts, boolean last) implements Result {}

        /** Replicas' versions of one object (see {@link ReadObjectVersion}). */
        record ObjectVersions(List<ObjectVersion> versions) implements Result {}

        /** A page of a replica's images of the vnodes a resolution names ({@link dev.strand.conflictrepair.VnodeImages});
         *  {@code more}: images follow (absent, so false, from earlier releases). */
        record ResolutionImages(List<VolumeSnapshot.VnodeRecord> images, boolean more) implements Result {
            public ResolutionImages(List<VolumeSnapshot.VnodeRecord> images) {
                this(images, false);
            }
        }
    }

    private VolumeReplica() {} // a protocol: creation below, behaviour in ReplicaBehavior

    /** A replica that writes only under {@code lease} (it claims its journal first). */
    public static Behavior<Command> create(String entityId, ChunkStore chunks, VolumeSettings settings, NodeLease lease) {
        return ReplicaBehavior.create(entityId, chunks, settings, lease);
    }

    /** Registers the entity type with Cluster Sharding on this node, its replicas fenced by the node's lease. */
    public static void init(ActorSystem<?> system, ChunkStore chunks, VolumeSettings settings, NodeLease lease) {
        ReplicaBehavior.initSharding(system, chunks, settings, lease);
    }
}

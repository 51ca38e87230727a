package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import java.util.List;
import java.util.UUID;

/**
 * One replica of one volume: an event-sourced, sharded entity holding the volume's vnodes and
 * directories. Entity id: {@code "<volumeId>.<replicaIndex>"} (see {@link #entityId}).
 *
 * <p>PROTOCOL (the contract the connection actor and the registry rely on):
 * <ul>
 *   <li>{@link Initialize}: idempotent; creates the root directory on first use.</li>
 *   <li>{@link Execute}: a read (GetAttr, Walk, ReadDir, ReadLink) answered from state, or a namespace
 *       mutation (Create, MkDir, Symlink, Link, Remove, RmDir, Rename, SetAttr) run through the pipeline
 *       validate -> get objects -> check semantics -> perform -> commit one event. Answers
 *       {@link Result.Done} with the opcode's reply type, or {@link Result.Rejected}.</li>
 *   <li>{@link PrepareStore}: checks that the fid is a regular file that may be written; {@code Done(Attr)}.</li>
 *   <li>{@link CommitStore}: makes an already written blob the file's contents; {@code Done(Attr)}.</li>
 *   <li>{@link OpenForFetch}: the blob to read for a regular file: {@link Result.FetchTarget}.</li>
 *   <li>{@link GetStats}: usage figures: {@link Result.Stats}.</li>
 * </ul>
 * Commands to an uninitialised replica are rejected with NO_SUCH_VOLUME.
 */
public final class VolumeReplica {

    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
            EntityTypeKey.create(Command.class, "VolumeReplica");

    public static String entityId(long volumeId, int replicaIndex) {
        return volumeId + "." + replicaIndex;
    }

    // ---- commands ----------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    public record Initialize(long volumeId, String volumeName, long createdMillis, ActorRef<Result> replyTo)
            implements Command {}

    /** {@code clientId}/{@code requestId} identify the request (recorded in events; retries later). */
    public record Execute(Request request, String clientId, long requestId, ActorRef<Result> replyTo)
            implements Command {}

    public record PrepareStore(Fid fid, ActorRef<Result> replyTo) implements Command {}

    public record CommitStore(Fid fid, UUID blobId, long length, String clientId, long requestId,
                              ActorRef<Result> replyTo) implements Command {}

    public record OpenForFetch(Fid fid, ActorRef<Result> replyTo) implements Command {}

    public record GetStats(ActorRef<Result> replyTo) implements Command {}

    // ---- results -----------------------------------------------------------------------------

    public sealed interface Result extends CborSerializable {
        record Done(Reply reply) implements Result {}

        record Rejected(Status status, String message) implements Result {}

        /** {@code blobId} is null for a file that was never stored; bytes in [blobLength, size) read as zeros. */
        record FetchTarget(Attr attr, UUID blobId, long blobLength) implements Result {}

        record Stats(long volumeId, String volumeName, long createdMillis, long files, long directories,
                     long symlinks, long bytes, List<Long> versionVector) implements Result {}
    }

    private VolumeReplica() {}
}

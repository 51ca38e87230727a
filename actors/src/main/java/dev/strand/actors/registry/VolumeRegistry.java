package dev.strand.actors.registry;

import dev.strand.actors.CborSerializable;
import dev.strand.protocol.Status;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * The cluster-wide volume registry (Coda's VLDB/VRDB): name -> id -> storage group. Event-sourced, one
 * instance (sharded entity {@link #ENTITY_ID}). Creating a volume persists it, then initialises its replicas.
 */
public final class VolumeRegistry {

    public static final String ENTITY_ID = "registry";

    public static final org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey<Command> ENTITY_TYPE_KEY =
            org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey.create(Command.class, "VolumeRegistry");

    public sealed interface Command extends CborSerializable {}

    /** Answers {@link Result.Volume} or {@link Result.Rejected} (VOLUME_EXISTS, BAD_VOLUME_NAME, ...). */
    public record CreateVolume(String name, int replicas, ActorRef<Result> replyTo) implements Command {}

    /** Answers {@link Result.Volume} or {@link Result.Rejected} (NO_SUCH_VOLUME). */
    public record Lookup(String name, ActorRef<Result> replyTo) implements Command {}

    /** Answers {@link Result.Volumes}, in name order. */
    public record ListVolumes(ActorRef<Result> replyTo) implements Command {}

    /** A volume's registry record. {@code replicaEntityIds} in storage-group order. */
    public record VolumeRecord(long id, String name, int replicas, long createdMillis,
                               List<String> replicaEntityIds) implements CborSerializable {}

    public sealed interface Result extends CborSerializable {
        record Volume(VolumeRecord volume) implements Result {}

        record Volumes(List<VolumeRecord> volumes) implements Result {}

        record Rejected(Status status, String message) implements Result {}
    }

    private VolumeRegistry() {}
}

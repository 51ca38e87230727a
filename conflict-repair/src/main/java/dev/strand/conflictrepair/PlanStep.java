package dev.strand.conflictrepair;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.strand.protocol.message.Fid;
import dev.strand.replication.VersionVector;
import dev.strand.volume.MutationEventType;
import dev.strand.volume.VolumeEvent;

import java.util.UUID;

/**
 * One thing a replica does to take part in a resolution, as data; {@link StepApplier} turns it into the events the
 * replica journals. Steps keep the original fids, names and types, so that every replica ends with the same fids.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type") // steps travel to the replicas under stable names
@JsonSubTypes({@JsonSubTypes.Type(value = PlanStep.Replay.class, name = "Replay"),
        @JsonSubTypes.Type(value = PlanStep.TakeData.class, name = "TakeData"),
        @JsonSubTypes.Type(value = PlanStep.Stamp.class, name = "Stamp"),
        @JsonSubTypes.Type(value = PlanStep.Install.class, name = "Install"),
        @JsonSubTypes.Type(value = PlanStep.Drop.class, name = "Drop")})
public sealed interface PlanStep {

    /**
     * Perform operation {@code opId} that another replica performed: {@code original} is that replica's event, and
     * the step is re-decided against this replica's state (which name a rename replaces, whether an unlink is the
     * last one), keeping its fids, names, types and origin.
     */
    record Replay(long opId,
                  @MutationEventType VolumeEvent original) implements PlanStep {}

    /**
     * Take the contents and attributes of {@code fid} as replica {@code fromReplica} holds them (it performed every
     * change of them that any replica did): mode, size, modification time, blob and its length. Names and link
     * counts stay as this replica's namespace has them.
     */
    record TakeData(Fid fid, int fromReplica, int mode, long size, long mtimeMillis, UUID blobId, long blobLength)
            implements PlanStep {}

    /**
     * The end of a resolution for {@code fid}: the version it has on every replica from now on (equal everywhere,
     * dominating every earlier one) and its times.
     */
    record Stamp(Fid fid, long dataVersion, VersionVector versionVector, long mtimeMillis, long ctimeMillis)
            implements PlanStep {}

    /**
     * FULL COMPARISON: hold vnode {@code image.vnode()} exactly as {@code image} says (replica {@code fromReplica}'s
     * version, or a directory merged from several), as a catch-up installs it; it replaces any vnode of that number.
     */
    record Install(int fromReplica, dev.strand.volume.VolumeSnapshot.VnodeRecord image) implements PlanStep {}

    /** FULL COMPARISON: {@code fid} is bound by no directory of the result: it goes, as a catch-up removes it. */
    record Drop(Fid fid) implements PlanStep {}
}

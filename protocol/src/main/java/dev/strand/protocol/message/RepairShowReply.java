package dev.strand.protocol.message;

import java.util.List;

/** Each replica's version of the object, in storage-group order, and the conflicts it is in (on any replica). */
public record RepairShowReply(List<ReplicaObjectInfo> replicas, List<ConflictInfo> conflicts) implements Reply {}

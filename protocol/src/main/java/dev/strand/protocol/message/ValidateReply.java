package dev.strand.protocol.message;

import java.util.List;

/**
 * Every replica's version of the object, in storage-group order. {@code agree}: every replica that
 * answered has the object with the same version vector and data version.
 */
public record ValidateReply(List<ReplicaVersionInfo> replicas, boolean agree) implements Reply {}

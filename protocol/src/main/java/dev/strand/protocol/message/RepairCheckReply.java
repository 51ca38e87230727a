package dev.strand.protocol.message;

import java.util.List;

/**
 * REPAIR_CHECK's answer: every replica of the storage group (in storage-group order) after the check, with its state
 * and volume version vector as VOLUME_INFO shows them, and what the check started, one line each (e.g.
 * {@code "catch-up of replica 2"}, {@code "resolution of replicas [0, 1]"}; empty: nothing was needed, or the line
 * says why nothing was compared).
 */
public record RepairCheckReply(String name, List<ReplicaInfo> replicas, List<String> started) implements Reply {}

package dev.strand.protocol.message;

/**
 * REPAIR_CHECK: asks the coordinator of volume {@code name} to compare its replicas' volume version vectors now and
 * to start what they need (a catch-up for a replica that is behind, a resolution for replicas that diverged).
 */
public record RepairCheck(String name) implements Request {}

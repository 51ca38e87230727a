package dev.strand.protocol.message;

/**
 * REPAIR_FILE: the file (or symbolic link) {@code name} in directory {@code dir} is in conflict; replica {@code keep}'s
 * version becomes every replica's, with a version vector that dominates every earlier one, and the conflict is
 * cleared. Every replica must answer, or nothing changes (UNAVAILABLE names the one that did not).
 */
public record RepairFile(Fid dir, @EntryName String name, int keep) implements Request {}

package dev.strand.protocol.message;

/**
 * REPAIR_SHOW: every replica's version of what {@code name} in directory {@code dir} is bound to there (the name is
 * looked up on each replica, since each may bind it to its own object).
 */
public record RepairShow(Fid dir, @EntryName String name) implements Request {}

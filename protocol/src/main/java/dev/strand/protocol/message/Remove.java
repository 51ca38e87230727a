package dev.strand.protocol.message;

/** Removes a name that is not a directory (unlink). */
public record Remove(Fid dir, @EntryName String name) implements Request {}

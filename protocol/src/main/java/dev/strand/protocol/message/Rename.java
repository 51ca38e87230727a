package dev.strand.protocol.message;

/** Moves a name, replacing a compatible target as POSIX rename(2) does. */
public record Rename(Fid fromDir, @EntryName String fromName, Fid toDir, @EntryName String toName) implements Request {}

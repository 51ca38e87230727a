package dev.strand.protocol.message;

/** Moves a name, replacing a compatible target as POSIX rename(2) does. */
public record Rename(Fid fromDir, String fromName, Fid toDir, String toName) implements Request {}

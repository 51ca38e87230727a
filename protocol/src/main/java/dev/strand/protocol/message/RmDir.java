package dev.strand.protocol.message;

/** Removes an empty directory. */
public record RmDir(Fid dir, String name) implements Request {}

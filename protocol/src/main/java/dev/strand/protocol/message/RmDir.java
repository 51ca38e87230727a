package dev.strand.protocol.message;

/** Removes an empty directory. */
public record RmDir(Fid dir, @EntryName String name) implements Request {}

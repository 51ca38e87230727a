package dev.strand.protocol.message;

/** A hard link: a new name in {@code dir} for the existing non-directory {@code target}. */
public record Link(Fid dir, @EntryName String name, Fid target) implements Request {}

package dev.strand.protocol.message;

/** Creates an empty regular file. Without {@code exclusive}, an existing regular file is returned as is. */
public record Create(Fid dir, @EntryName String name, int mode, boolean exclusive) implements Request {}

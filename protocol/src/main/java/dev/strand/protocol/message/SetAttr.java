package dev.strand.protocol.message;

/** Changes the attributes that are not null: permission bits, length (truncate), modification time. */
public record SetAttr(Fid fid, Integer mode, Long size, Long mtimeMillis) implements Request {}

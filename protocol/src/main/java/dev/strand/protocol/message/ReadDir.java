package dev.strand.protocol.message;

/**
 * One page of a directory, in name order, starting after the name {@code after} (null: from the start).
 * {@code limit} is capped at {@link dev.strand.protocol.ProtocolLimits#MAX_READDIR_ENTRIES}.
 */
public record ReadDir(Fid dir, @EntryName String after, int limit, boolean withAttrs) implements Request {}

package dev.strand.protocol.message;

/**
 * Reads a regular file from {@code offset}, {@code length} bytes at most (-1: to the end). The server
 * answers with DATA frames and then a REPLY carrying {@link FetchReply}.
 */
public record Fetch(Fid fid, long offset, long length) implements Request {}

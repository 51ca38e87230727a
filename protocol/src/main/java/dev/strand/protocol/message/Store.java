package dev.strand.protocol.message;

/**
 * Replaces a regular file's whole contents (Coda's whole-file store). DATA frames with the same request id
 * follow, then a DATA_END frame carrying {@link StoreEnd}. The new contents become visible atomically when
 * the server replies with the new {@link Attr}. {@code expectedLength} is -1 when unknown.
 */
public record Store(Fid fid, long expectedLength) implements Request {}

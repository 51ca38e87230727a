package dev.strand.protocol.message;

/** Ends a STORE's data: {@code length} is the number of bytes the client sent, as a check. */
public record StoreEnd(long length) implements Message {}

package dev.strand.protocol.message;

/** The body of a REQUEST frame. Each implementation belongs to exactly one {@link dev.strand.protocol.Opcode}. */
public interface Request extends Message {}

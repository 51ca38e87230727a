package dev.strand.protocol.message;

/** The body of a REPLY frame. */
public interface Reply extends Message {}

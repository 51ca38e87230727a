package dev.strand.protocol.message;

/** A clean goodbye: the server frees the client's state at once and closes the connection after replying. */
public record Farewell() implements Request {}

package dev.strand.protocol.message;

/** Liveness check; answered with {@link Pong} carrying the same nonce. */
public record Ping(long nonce) implements Request {}

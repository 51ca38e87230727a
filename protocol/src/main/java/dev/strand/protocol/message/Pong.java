package dev.strand.protocol.message;

public record Pong(long nonce) implements Reply {}

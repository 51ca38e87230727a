package dev.strand.protocol.message;

/** Asks every available replica of {@code fid}'s volume for its version of the object (VALIDATE). */
public record Validate(Fid fid) implements Request {}

package dev.strand.protocol.message;

public record ReadLink(Fid fid) implements Request {}

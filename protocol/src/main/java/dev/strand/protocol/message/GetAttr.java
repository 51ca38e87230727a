package dev.strand.protocol.message;

public record GetAttr(Fid fid) implements Request {}

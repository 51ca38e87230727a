package dev.strand.protocol.message;

public record MkDir(Fid dir, String name, int mode) implements Request {}

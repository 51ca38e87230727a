package dev.strand.protocol.message;

public record Symlink(Fid dir, String name, String target) implements Request {}

package dev.strand.protocol.message;

public record Symlink(Fid dir, @EntryName String name, String target) implements Request {}

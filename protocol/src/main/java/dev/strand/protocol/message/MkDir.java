package dev.strand.protocol.message;

public record MkDir(Fid dir, @EntryName String name, int mode) implements Request {}

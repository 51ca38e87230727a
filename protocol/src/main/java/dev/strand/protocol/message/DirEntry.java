package dev.strand.protocol.message;

/** One name in a directory; {@code attr} is present when the READDIR asked for attributes. */
public record DirEntry(String name, Fid fid, FileType type, Attr attr) {}

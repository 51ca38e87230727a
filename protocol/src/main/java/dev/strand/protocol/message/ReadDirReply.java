package dev.strand.protocol.message;

import java.util.List;

/** {@code eof} is true when no entries follow the last one returned. */
public record ReadDirReply(List<DirEntry> entries, boolean eof) implements Reply {}

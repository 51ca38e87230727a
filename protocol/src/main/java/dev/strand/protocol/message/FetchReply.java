package dev.strand.protocol.message;

/** Ends a FETCH: the attributes of the version that was sent and how many bytes were. */
public record FetchReply(Attr attr, long bytes) implements Reply {}

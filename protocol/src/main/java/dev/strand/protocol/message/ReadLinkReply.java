package dev.strand.protocol.message;

public record ReadLinkReply(String target) implements Reply {}

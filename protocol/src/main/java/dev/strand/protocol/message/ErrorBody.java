package dev.strand.protocol.message;

/** The body of an ERROR frame: the numeric status, its name (for humans and logs), and a message. */
public record ErrorBody(int code, String status, String message) implements Message {}

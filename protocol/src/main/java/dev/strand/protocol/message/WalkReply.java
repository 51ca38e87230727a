package dev.strand.protocol.message;

/** {@code consumed} names were looked up; {@code attr} is the object the last of them named. */
public record WalkReply(int consumed, Attr attr) implements Reply {}

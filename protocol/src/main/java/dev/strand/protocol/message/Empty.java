package dev.strand.protocol.message;

/** A reply with nothing to say but success. */
public record Empty() implements Reply {
    public static final Empty INSTANCE = new Empty();
}

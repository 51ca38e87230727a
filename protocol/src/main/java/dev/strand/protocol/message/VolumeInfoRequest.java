package dev.strand.protocol.message;

/** Asks for one volume by name. */
public record VolumeInfoRequest(String name) implements Request {}

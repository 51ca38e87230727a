package dev.strand.protocol.message;

public record VolumeList() implements Request {}

package dev.strand.protocol.message;

/** Creates a volume. {@code replicas} is the size of its storage group (1 until replication lands). */
public record VolumeCreate(String name, int replicas) implements Request {}

package dev.strand.protocol.message;

/**
 * Creates a volume. {@code replicas} is the size of its storage group (1..5; 0 means 1).
 * {@code minReplicas} (optional): how many replicas must apply a mutation before it succeeds, "1"
 * (the default) or "majority".
 */
public record VolumeCreate(String name, int replicas, String minReplicas) implements Request {

    public VolumeCreate(String name, int replicas) {
        this(name, replicas, null);
    }
}

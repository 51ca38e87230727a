package dev.strand.volume;

/**
 * Marker for the model's records that are journalled, snapshotted or sent between nodes. The model knows no
 * serializer: the server binds this marker to Jackson CBOR (actors' reference.conf), as it does its own messages.
 */
public interface Serialized {}

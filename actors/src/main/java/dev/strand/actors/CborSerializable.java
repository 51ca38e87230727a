package dev.strand.actors;

/** Marker for actor messages, events and snapshots serialised with Jackson CBOR (see reference.conf). */
public interface CborSerializable {}

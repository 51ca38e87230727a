package dev.strand.protocol.message;

/** Every CBOR-encoded body of the protocol. Also the serialization binding for messages between nodes. */
public interface Message {}

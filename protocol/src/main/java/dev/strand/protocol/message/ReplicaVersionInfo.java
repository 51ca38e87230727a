package dev.strand.protocol.message;

import java.util.List;

/**
 * One replica's version of an object in a VALIDATE reply: its index in the storage group (its slot in
 * the version vectors), the node hosting it (null if not known), whether it answered, and its version
 * vector and data version of the object (null/0 if it did not answer or has no such object; then
 * {@code problem} says why).
 */
public record ReplicaVersionInfo(int index, String node, boolean available, List<Long> versionVector,
                                 long dataVersion, String problem) implements Message {}

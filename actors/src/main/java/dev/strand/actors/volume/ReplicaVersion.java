package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;

import java.util.List;

/** One replica's version of one object; {@code problem} says why it has none (e.g. STALE there). */
public record ReplicaVersion(int index, String node, boolean available, List<Long> versionVector,
                             long dataVersion, String problem) implements CborSerializable {}

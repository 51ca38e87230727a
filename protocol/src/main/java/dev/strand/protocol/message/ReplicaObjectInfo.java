package dev.strand.protocol.message;

import java.util.List;

/**
 * One replica's version of an object in a REPAIR_SHOW reply: its slot, node (null if not known), whether it
 * answered, and the object as that replica holds it (null/0 and a {@code problem} when it holds none): fid, type,
 * version vector, data version, size, modification time, mode; for a directory its entries in name order
 * ({@code entriesComplete} false when cut to fit the reply).
 */
public record ReplicaObjectInfo(int index, String node, boolean available, Fid fid, FileType type,
                                List<Long> versionVector, long dataVersion, long size, long mtimeMillis, int mode,
                                List<DirEntry> entries, boolean entriesComplete, String problem) implements Message {}

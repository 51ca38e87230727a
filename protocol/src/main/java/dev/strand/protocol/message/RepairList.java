package dev.strand.protocol.message;

/**
 * REPAIR_LIST: a page of the objects and names in conflict in volume {@code volume}, after the first {@code skip}
 * of them (0: from the first), at most {@code limit} (the server's page size when 0, never more than fits a frame).
 */
public record RepairList(String volume, int skip, int limit) implements Request {}

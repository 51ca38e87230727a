package dev.strand.protocol.message;

import java.util.List;

/** A page of conflicts; {@code more}: others follow, ask again with {@code skip} advanced by this page's size. */
public record RepairListReply(List<ConflictInfo> conflicts, boolean more) implements Reply {}

package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;
import dev.strand.volume.ConflictRecord;

import java.util.List;

/** A conflict and the replicas that hold it marked (in {@link VolumeReplica.Result.ConflictsPage}). */
public record ConflictEntry(ConflictRecord conflict, List<Integer> markedOn) implements CborSerializable {}

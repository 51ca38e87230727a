package dev.strand.conflictrepair;

import dev.strand.volume.VolumeEvent;

/**
 * One entry of a replica's resolution log: an operation the replica performed ({@code opId}, the coordinator's id,
 * the same at every replica that performed it) and the mutation event it journalled for it (FileCreated,
 * DirectoryCreated, SymlinkCreated, LinkAdded, EntryRemoved, DirectoryRemoved, Renamed, AttributesSet or
 * ContentStored).
 */
public record LogEntry(long opId, VolumeEvent event) {

    public LogEntry {
        if (event == null || !OpEffects.isLogged(event)) {
            throw new IllegalArgumentException("operation " + opId + ": a resolution log holds mutation events, not "
                    + (event == null ? "null" : event.getClass().getSimpleName()));
        }
    }
}

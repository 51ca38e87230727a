package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;

/**
 * What a name in a directory points at. Carries the uniquifier and type so that a READDIR without
 * attributes needs no vnode lookups.
 */
public record DirectoryEntry(long vnode, long unique, FileType type) {

    public Fid fid(long volumeId) {
        return new Fid(volumeId, vnode, unique);
    }
}

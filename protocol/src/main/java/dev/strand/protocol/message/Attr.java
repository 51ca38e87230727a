package dev.strand.protocol.message;

import java.util.List;

/**
 * The attributes of a vnode.
 *
 * @param mode          permission bits (07777)
 * @param size          length in bytes (for a symlink: of its target)
 * @param linkCount     names that refer to the vnode (a directory counts "." and each child directory's "..")
 * @param dataVersion   bumped by every change of this vnode (Coda's storeid, per object)
 * @param versionVector one counter per replica of the volume, in storage-group order
 */
public record Attr(Fid fid, FileType type, int mode, long size, int linkCount, String owner,
                   long mtimeMillis, long ctimeMillis, long dataVersion, List<Long> versionVector) implements Reply {
}

package dev.strand.actors.volume;

import dev.strand.actors.CborSerializable;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.VolumeSnapshot;

import java.util.List;

/**
 * Replica {@code replica}'s version of one object (in {@link VolumeReplica.Result.ObjectVersions}): {@code vnode}
 * (null and a {@code problem} when it has none; a directory's entries cut to fit, {@code entriesComplete} false then)
 * and the conflicts it marks on it or its name.
 */
public record ObjectVersion(int replica, String node, boolean available, VolumeSnapshot.VnodeRecord vnode,
                            boolean entriesComplete, String problem, List<ConflictRecord> conflicts)
        implements CborSerializable {}

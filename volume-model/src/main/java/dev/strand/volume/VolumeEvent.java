package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import dev.strand.replication.VersionVector;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * What a volume replica journals: one event per committed operation. Together they are the replica's
 * history, and its resolution log ({@link ResolutionLog}) holds the mutation events of the operations some replica
 * may lack, so each carries the operation's names and fids, the version
 * it gives to every vnode it touches, and the request ({@link Origin}) it came from. An event that makes
 * a blob unreachable names it in {@code freedBlob}, so that the blob can be deleted after the commit.
 *
 * <p>VERSIONING. Events live in the journal for as long as the volume does. They are Jackson CBOR
 * ({@link Serialized}) and the class name is the serialisation manifest, so:
 * <ul>
 *   <li>renaming or moving an event class needs a migration whose {@code transformClassName} names the new class,
 *       registered under the old name (the move from {@code dev.strand.actors.volume} to this package is done
 *       so: {@code dev.strand.actors.VolumeModelMoveMigration});</li>
 *   <li>adding a component is safe: old events read the missing field as null (0, false for primitives),
 *       so give it a meaning for that case;</li>
 *   <li>renaming, removing or changing the type of a component needs a migration: write a subclass of
 *       {@code org.apache.pekko.serialization.jackson.JacksonMigration} with {@code currentVersion()} one
 *       higher and a {@code transform(fromVersion, json)} that rewrites older JSON trees, and register it in
 *       {@code pekko.serialization.jackson.migrations { "dev.strand.volume.VolumeEvent$X" = "..." }} in actors' reference.conf;</li>
 *   <li>a retired event stays here (the handler must still replay it), marked as such.</li>
 * </ul>
 */
public sealed interface VolumeEvent extends Serialized {

    /** The blob this event made unreachable, or null. */
    default UUID freedBlob() {
        return null;
    }

    /** The volume came into being on this replica with its root directory ({@link Fid#ROOT_VNODE}). */
    record VolumeInitialized(long volumeId, String volumeName, long createdMillis, int replicaIndex,
                             int replicas, String rootOwner, VnodeVersion rootVersion) implements VolumeEvent {}

    /**
     * The event of a mutation (a client's operation): it changes names or vnodes, bumps this replica's slot of the
     * volume's vector and, in a group of several replicas, enters the resolution log.
     */
    sealed interface MutationEvent extends VolumeEvent {
        Origin origin();

        /** The vnodes (numbers) whose versions this event sets, each once, in event order. */
        List<Long> touchedVnodes();
    }

    /**
     * A regular file {@code file} named {@code name} in {@code dir}: empty, or (a PUT) with the already written blob
     * {@code blobId} of {@code length} bytes as its contents (absent in events written before PUT: empty).
     */
    record FileCreated(Origin origin, Fid dir, String name, Fid file, int mode,
                       VnodeVersion dirVersion, VnodeVersion fileVersion, UUID blobId, long length)
            implements MutationEvent {
        /** An empty file. */
        public FileCreated(Origin origin, Fid dir, String name, Fid file, int mode, VnodeVersion dirVersion,
                           VnodeVersion fileVersion) {
            this(origin, dir, name, file, mode, dirVersion, fileVersion, null, 0);
        }

        @Override
        public List<Long> touchedVnodes() {
            return vnodes(dir, file);
        }
    }

    record DirectoryCreated(Origin origin, Fid dir, String name, Fid directory, int mode,
                            VnodeVersion dirVersion, VnodeVersion directoryVersion) implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(dir, directory);
        }
    }

    record SymlinkCreated(Origin origin, Fid dir, String name, Fid symlink, String target,
                          VnodeVersion dirVersion, VnodeVersion symlinkVersion) implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(dir, symlink);
        }
    }

    /** A new name {@code name} in {@code dir} for the existing non-directory {@code target}. */
    record LinkAdded(Origin origin, Fid dir, String name, Fid target,
                     VnodeVersion dirVersion, VnodeVersion targetVersion) implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(dir, target);
        }
    }

    /**
     * A name of a non-directory went. With {@code lastLink} the vnode went too ({@code removedVersion} is
     * then the version it had when it went).
     */
    record EntryRemoved(Origin origin, Fid dir, String name, Fid removed, boolean lastLink,
                        VnodeVersion dirVersion, VnodeVersion removedVersion, UUID freedBlob)
            implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(dir, removed);
        }
    }

    /** An empty directory and its name went. */
    record DirectoryRemoved(Origin origin, Fid dir, String name, Fid removed, VnodeVersion dirVersion)
            implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(dir);
        }
    }

    /**
     * {@code moved} went from {@code fromDir/fromName} to {@code toDir/toName}. If that name was taken,
     * {@code replaced} lost it (and went with it when {@code replacedLastLink}); otherwise both are
     * null/false. With {@code fromDir == toDir} the two directory versions are the same.
     */
    record Renamed(Origin origin, Fid fromDir, String fromName, Fid toDir, String toName, Fid moved,
                   Fid replaced, boolean replacedLastLink, VnodeVersion fromDirVersion,
                   VnodeVersion toDirVersion, VnodeVersion movedVersion, VnodeVersion replacedVersion,
                   UUID freedBlob) implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(fromDir, toDir, moved, replaced);
        }
    }

    /**
     * The attributes that are not null changed. A new {@code size} below the stored contents' length cuts
     * them (bytes beyond read as zeros when it grows again); cut to nothing, the blob is freed.
     */
    record AttributesSet(Origin origin, Fid fid, Integer mode, Long size, Long mtimeMillis,
                         VnodeVersion version, UUID freedBlob) implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(fid);
        }
    }

    /** The blob {@code blobId} of {@code length} bytes became the file's contents, replacing {@code freedBlob}. */
    record ContentStored(Origin origin, Fid fid, UUID blobId, long length, VnodeVersion version,
                         UUID freedBlob) implements MutationEvent {
        @Override
        public List<Long> touchedVnodes() {
            return vnodes(fid);
        }
    }

    // ---- replication (COP1 bookkeeping and COP2); neither bumps this replica's own slot ----------

    /**
     * COP1 of a replicated operation: the event persisted together with (just before) this one was the
     * coordinator's operation {@code opId}, touching {@code vnodes}. It waits in the pending-COP2 table
     * for its update set.
     */
    record OperationRecorded(long opId, List<Long> vnodes, long timeMillis) implements VolumeEvent {}

    /**
     * COP2: the replicas in {@code slots} (other than this one) applied operation {@code opId} too, so
     * their slots of the version vectors of {@code vnodes} (those still present) and of the volume's
     * vector went up by one, and the operation left the pending-COP2 table.
     */
    record Cop2Applied(long opId, List<Integer> slots, List<Long> vnodes) implements VolumeEvent {}

    /**
     * The operations {@code opIds} waited longer than {@code strand.volume.cop2-expiry} for their update set and
     * left the pending-COP2 table: a COP2 that comes later is ignored, and the objects they touched stay unequal
     * across the replicas until resolution.
     */
    record Cop2Expired(List<Long> opIds) implements VolumeEvent {
        public Cop2Expired {
            opIds = opIds == null ? List.of() : List.copyOf(opIds);
        }
    }

    /**
     * RESOLUTION: every replica of the group has the operations {@code opIds}, so they leave this replica's
     * resolution log ({@link ResolutionLog}). Resolution persists it; at most
     * {@link ResolutionLog#MAX_TRUNCATED_PER_EVENT} ids per event (the rest in the next), so the event stays small.
     */
    record ResolutionLogTruncated(List<Long> opIds) implements VolumeEvent {
        public ResolutionLogTruncated {
            opIds = opIds == null ? List.of() : List.copyOf(opIds);
        }
    }

    /**
     * RESOLUTION: a round of a full comparison was performed here ({@code steps} of it, persisted in the same write,
     * after them). Until the last round's {@link CaughtUp}, this replica differs in ways its log cannot explain (some
     * replicas may have performed a round others did not), so its log is marked overflowed: a retry compares fully
     * again rather than merge by logs that cannot see those objects.
     */
    record ComparisonRoundPerformed(int steps) implements VolumeEvent {}

    /**
     * RESOLUTION: {@code conflicts} could not be merged. Persisted in the same atomic write as the resolution's
     * mergeable steps, on every replica: each keeps its own version of the objects and names in them, and reads and
     * mutations that touch them answer CONFLICT until they are repaired.
     */
    record ConflictsMarked(List<ConflictRecord> conflicts) implements VolumeEvent {
        public ConflictsMarked {
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }
    }

    /**
     * REPAIR: every conflict naming {@code object} is over (persisted with the vnodes the repair installs, in one
     * atomic write): the object serves reads and mutations again.
     */
    record ConflictRepaired(Fid object) implements VolumeEvent {}

    /**
     * REPAIR ({@code strand repair dir}): every conflict naming entry {@code n} of {@code dir} for {@code n} in
     * {@code names}, or naming one of {@code objects}, is over (persisted with the vnodes the repair installs, in one
     * atomic write).
     */
    record NamesRepaired(Fid dir, List<String> names, List<Fid> objects) implements VolumeEvent {
        public NamesRepaired {
            names = names == null ? List.of() : List.copyOf(names);
            objects = objects == null ? List.of() : List.copyOf(objects);
        }
    }

    // ---- catching up (a replica that fell behind becomes a copy of a current one; see VnodeSync) -----
    // None of these bumps a slot: the versions installed are the source's, as they are.

    /**
     * The vnodes in {@code vnodes} are now as replica {@code sourceReplica} has them (each replaces the
     * vnode of its number), and those in {@code removed} are gone. A directory listed in {@code incomplete}
     * came with only its first entries; {@link EntriesInstalled} brings the rest.
     */
    record VnodesInstalled(int sourceReplica, List<VolumeSnapshot.VnodeRecord> vnodes, List<Long> incomplete,
                           List<Long> removed) implements VolumeEvent {
        public VnodesInstalled {
            vnodes = vnodes == null ? List.of() : List.copyOf(vnodes);
            incomplete = incomplete == null ? List.of() : List.copyOf(incomplete);
            removed = removed == null ? List.of() : List.copyOf(removed);
        }
    }

    /**
     * More entries of directory {@code vnode} as the source has them; {@code completedVersion} is set on the
     * last slice (the directory's version at the source), null while more follow.
     */
    record EntriesInstalled(int sourceReplica, long vnode, List<VolumeSnapshot.EntryRecord> entries,
                            VnodeVersion completedVersion) implements VolumeEvent {
        public EntriesInstalled {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    /**
     * The retry window of the source for the requests this replica missed, so that a client resending one
     * of them is answered from memory here too (see {@code RecentRequests}).
     */
    record RecentRequestsAdopted(int sourceReplica, List<RecentRequests.Entry> entries) implements VolumeEvent {
        public RecentRequestsAdopted {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    /**
     * The conflicts of {@code sourceReplica}, a page of them: with {@code first} they replace this replica's (those the
     * source no longer holds were repaired while this replica was away), later pages add to them. Sent in a catch-up's
     * last round, so a replica copied from one that marks conflicts marks them too and answers CONFLICT as it does.
     */
    record ConflictsAdopted(int sourceReplica, List<ConflictRecord> conflicts, boolean first) implements VolumeEvent {
        public ConflictsAdopted {
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }
    }

    /**
     * The catch-up from {@code sourceReplica} is complete: this replica holds its vnodes, and takes its volume
     * version vector and fid counters. Pending COP2 entries are dropped (the installed versions include them).
     */
    record CaughtUp(int sourceReplica, VersionVector volumeVector, long nextVnode, long nextUnique)
            implements VolumeEvent {}

    /** The vnode numbers of {@code fids} that are not null, each once, in order. */
    private static List<Long> vnodes(Fid... fids) {
        LinkedHashSet<Long> numbers = new LinkedHashSet<>();
        for (Fid fid : fids) {
            if (fid != null) {
                numbers.add(fid.vnode());
            }
        }
        return List.copyOf(numbers);
    }
}

package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.volume.DirectoryEntry;
import dev.strand.volume.Vnode;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;

import java.util.List;

/**
 * Turns a replica's {@link PlanStep}s into the events it journals, each decided against the state the previous ones
 * left. Replays keep the original's fids, names, types, mode, owner and origin; what depends on this replica's state
 * (the versions, whether an unlink is the last one, which name a rename replaces) is decided here. Data and stamps
 * are installed as {@link VolumeEvent.VnodesInstalled} (no slot is bumped: the stamp sets the final version).
 *
 * <p>The planner runs the same code on each replica's images to check the plan, so a replica whose state is the one
 * it reported performs its steps without a refusal.
 */
public final class StepApplier {

    private StepApplier() {}

    /** A replayed operation this replica's state does not allow. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /** The event {@code step} makes on {@code volume} as it is now (nothing is applied). */
    public static VolumeEvent toEvent(Volume volume, int sourceReplica, PlanStep step) {
        if (step instanceof PlanStep.Replay r) {
            return replay(volume, r.original());
        }
        if (step instanceof PlanStep.TakeData d) {
            VolumeSnapshot.VnodeRecord v = record(volume, d.fid());
            return installed(d.fromReplica(), new VolumeSnapshot.VnodeRecord(v.vnode(), v.unique(), v.type(), d.mode(),
                    v.owner(), d.size(), v.linkCount(), d.mtimeMillis(), v.ctimeMillis(), v.dataVersion(),
                    v.versionVector(), d.blobId(), d.blobLength(), v.symlinkTarget(), v.parent(), v.entries()));
        }
        if (step instanceof PlanStep.Install i) {
            return installed(i.fromReplica(), i.image());
        }
        if (step instanceof PlanStep.Drop d) {
            existing(volume, d.fid());
            return new VolumeEvent.VnodesInstalled(sourceReplica, List.of(), List.of(), List.of(d.fid().vnode()));
        }
        PlanStep.Stamp s = (PlanStep.Stamp) step;
        VolumeSnapshot.VnodeRecord v = record(volume, s.fid());
        return installed(sourceReplica, new VolumeSnapshot.VnodeRecord(v.vnode(), v.unique(), v.type(), v.mode(),
                v.owner(), v.size(), v.linkCount(), s.mtimeMillis(), s.ctimeMillis(), s.dataVersion(),
                s.versionVector(), v.blobId(), v.blobLength(), v.symlinkTarget(), v.parent(), v.entries()));
    }

    /** Applies every step in order to {@code volume}; returns the events, in order. Stops at the first refusal. */
    public static List<VolumeEvent> apply(Volume volume, int replica, List<PlanStep> steps) {
        List<VolumeEvent> events = new java.util.ArrayList<>(steps.size());
        for (PlanStep step : steps) {
            VolumeEvent event = toEvent(volume, replica, step);
            volume.apply(event);
            events.add(event);
        }
        return events;
    }

    /**
     * The events {@code steps} make on replica {@code replica}, decided on a copy of the vnodes they touch (and the
     * directories above them), so that the live state changes only when the replica persists the events.
     */
    public static List<VolumeEvent> decide(Volume volume, int replica, List<PlanStep> steps) {
        java.util.Set<Long> numbers = new java.util.TreeSet<>();
        for (PlanStep step : steps) {
            if (step instanceof PlanStep.Replay r) {
                numbers.addAll(OpEffects.of(r.original()).touches());
            } else if (step instanceof PlanStep.TakeData d) {
                numbers.add(d.fid().vnode());
            } else if (step instanceof PlanStep.Stamp s) {
                numbers.add(s.fid().vnode());
            } else if (step instanceof PlanStep.Install i) {
                numbers.add(i.image().vnode());
            } else if (step instanceof PlanStep.Drop d) {
                numbers.add(d.fid().vnode());
            }
        }
        Volume copy = Volume.fromSnapshot(new VolumeSnapshot(true, volume.volumeId(), volume.volumeName(), 0, replica,
                volume.replicas(), 0, 0, volume.versionVector(), VnodeImages.collect(volume, numbers), List.of()));
        return apply(copy, replica, steps);
    }

    private static VolumeEvent installed(int source, VolumeSnapshot.VnodeRecord record) {
        return new VolumeEvent.VnodesInstalled(source, List.of(record), List.of(), List.of());
    }

    private static VolumeSnapshot.VnodeRecord record(Volume volume, Fid fid) {
        Vnode v = existing(volume, fid);
        return v.toRecord(v.entryRecords());
    }

    private static VolumeEvent replay(Volume volume, VolumeEvent original) {
        if (original instanceof VolumeEvent.FileCreated e) {
            Vnode dir = bindable(volume, e.dir(), e.name(), e.file());
            return new VolumeEvent.FileCreated(e.origin(), e.dir(), e.name(), e.file(), e.mode(),
                    volume.nextVersion(dir), volume.firstVersion(), e.blobId(), e.length());
        }
        if (original instanceof VolumeEvent.DirectoryCreated e) {
            Vnode dir = bindable(volume, e.dir(), e.name(), e.directory());
            return new VolumeEvent.DirectoryCreated(e.origin(), e.dir(), e.name(), e.directory(), e.mode(),
                    volume.nextVersion(dir), volume.firstVersion());
        }
        if (original instanceof VolumeEvent.SymlinkCreated e) {
            Vnode dir = bindable(volume, e.dir(), e.name(), e.symlink());
            return new VolumeEvent.SymlinkCreated(e.origin(), e.dir(), e.name(), e.symlink(), e.target(),
                    volume.nextVersion(dir), volume.firstVersion());
        }
        if (original instanceof VolumeEvent.LinkAdded e) {
            Vnode dir = bindable(volume, e.dir(), e.name(), null);
            Vnode target = existing(volume, e.target());
            if (target.isDirectory() || target.linkCount() >= Vnode.MAX_LINK_COUNT) {
                throw new Refused("cannot add link '" + e.name() + "' to " + e.target());
            }
            return new VolumeEvent.LinkAdded(e.origin(), e.dir(), e.name(), e.target(), volume.nextVersion(dir),
                    volume.nextVersion(target));
        }
        if (original instanceof VolumeEvent.EntryRemoved e) {
            Vnode dir = directory(volume, e.dir());
            Vnode removed = boundTo(volume, dir, e.name(), e.removed());
            boolean last = removed.linkCount() <= 1;
            if (last && !e.lastLink()) { // both sides unlinked one name each: the object would go, changes and all
                throw new Refused("removing '" + e.name() + "' would remove " + e.removed()
                        + " here, which the operation did not");
            }
            return new VolumeEvent.EntryRemoved(e.origin(), e.dir(), e.name(), e.removed(), last,
                    volume.nextVersion(dir), volume.nextVersion(removed), last ? removed.blobId() : null);
        }
        if (original instanceof VolumeEvent.DirectoryRemoved e) {
            Vnode dir = directory(volume, e.dir());
            Vnode removed = boundTo(volume, dir, e.name(), e.removed());
            if (!removed.isDirectory() || removed.hasEntries()) {
                throw new Refused("directory '" + e.name() + "' in " + e.dir() + " is not an empty directory here");
            }
            return new VolumeEvent.DirectoryRemoved(e.origin(), e.dir(), e.name(), e.removed(), volume.nextVersion(dir));
        }
        if (original instanceof VolumeEvent.Renamed e) {
            return renamed(volume, e);
        }
        throw new IllegalArgumentException("data changes are taken, not replayed: " + original);
    }

    /**
     * Whether {@code volume} already shows the whole effect of namespace operation {@code original} although it did
     * not log it: the created object bound under its name, the removed name and object gone, the moved object under
     * its new name only. Fids are never handed out twice, so only the operation itself, or a catch-up's copy of its
     * result, leaves that state: the operation is held here, not missing (its replay would be refused).
     */
    public static boolean inEffect(Volume volume, VolumeEvent original) {
        if (original instanceof VolumeEvent.FileCreated e) {
            return binds(volume, e.dir(), e.name(), e.file());
        }
        if (original instanceof VolumeEvent.DirectoryCreated e) {
            return binds(volume, e.dir(), e.name(), e.directory());
        }
        if (original instanceof VolumeEvent.SymlinkCreated e) {
            return binds(volume, e.dir(), e.name(), e.symlink());
        }
        if (original instanceof VolumeEvent.LinkAdded e) {
            return binds(volume, e.dir(), e.name(), e.target());
        }
        if (original instanceof VolumeEvent.EntryRemoved e) {
            return !binds(volume, e.dir(), e.name(), e.removed()) && (!e.lastLink() || !exists(volume, e.removed()));
        }
        if (original instanceof VolumeEvent.DirectoryRemoved e) {
            return !binds(volume, e.dir(), e.name(), e.removed()) && !exists(volume, e.removed());
        }
        if (original instanceof VolumeEvent.Renamed e) {
            return binds(volume, e.toDir(), e.toName(), e.moved())
                    && (e.fromDir().equals(e.toDir()) && e.fromName().equals(e.toName())
                    || !binds(volume, e.fromDir(), e.fromName(), e.moved()))
                    && (e.replaced() == null || !e.replacedLastLink() || !exists(volume, e.replaced()));
        }
        return false;
    }

    private static boolean exists(Volume volume, Fid fid) {
        Vnode v = volume.vnode(fid.vnode());
        return v != null && v.unique() == fid.unique();
    }

    /** Directory {@code dirFid} exists here and binds {@code name} to {@code fid}, which exists too. */
    private static boolean binds(Volume volume, Fid dirFid, String name, Fid fid) {
        Vnode dir = volume.vnode(dirFid.vnode());
        if (dir == null || dir.unique() != dirFid.unique() || dir.type() != FileType.DIRECTORY) {
            return false;
        }
        DirectoryEntry entry = dir.entry(name);
        return entry != null && entry.vnode() == fid.vnode() && entry.unique() == fid.unique() && exists(volume, fid);
    }

    private static VolumeEvent renamed(Volume volume, VolumeEvent.Renamed e) {
        Vnode from = directory(volume, e.fromDir());
        Vnode to = directory(volume, e.toDir());
        Vnode moved = boundTo(volume, from, e.fromName(), e.moved());
        DirectoryEntry there = to.entry(e.toName());
        Vnode replaced = null;
        if (there != null) {
            if (e.replaced() == null || there.vnode() != e.replaced().vnode() || there.unique() != e.replaced().unique()) {
                throw new Refused("'" + e.toName() + "' in " + e.toDir() + " names another object here");
            }
            replaced = volume.vnode(there);
            if (replaced == null || replaced.isDirectory() != moved.isDirectory()
                    || (replaced.isDirectory() && replaced.hasEntries())) {
                throw new Refused("cannot replace '" + e.toName() + "' in " + e.toDir() + " here");
            }
        }
        if (moved.isDirectory()) {
            requireNotBelow(volume, to, moved);
        }
        VnodeVersion fromVersion = volume.nextVersion(from);
        VnodeVersion toVersion = from == to ? fromVersion : volume.nextVersion(to);
        boolean replacedLast = replaced != null && (replaced.isDirectory() || replaced.linkCount() <= 1);
        if (replacedLast && !e.replacedLastLink()) {
            throw new Refused("renaming onto '" + e.toName() + "' would remove " + e.replaced()
                    + " here, which the operation did not");
        }
        return new VolumeEvent.Renamed(e.origin(), e.fromDir(), e.fromName(), e.toDir(), e.toName(), e.moved(),
                replaced == null ? null : volume.fid(replaced), replacedLast, fromVersion, toVersion,
                volume.nextVersion(moved), replaced == null ? null : volume.nextVersion(replaced),
                replacedLast ? replaced.blobId() : null);
    }

    /** Walks up from {@code dir} to the root (the images hold every ancestor); a loop or a gap refuses. */
    private static void requireNotBelow(Volume volume, Vnode dir, Vnode moved) {
        Vnode v = dir;
        for (int depth = 0; depth <= volume.vnodeCount(); depth++) {
            if (v == null) {
                throw new Refused("the directories above " + volume.fid(dir) + " are not known here");
            }
            if (v == moved) {
                throw new Refused("cannot move directory " + volume.fid(moved) + " below itself here");
            }
            if (v.number() == Fid.ROOT_VNODE) {
                return;
            }
            v = volume.vnode(v.parent());
        }
        throw new Refused("the directories above " + volume.fid(dir) + " form a loop");
    }

    private static Vnode existing(Volume volume, Fid fid) {
        Vnode v = volume.vnode(fid.vnode());
        if (v == null || v.unique() != fid.unique()) {
            throw new Refused(fid + " does not exist here");
        }
        return v;
    }

    private static Vnode directory(Volume volume, Fid fid) {
        Vnode v = existing(volume, fid);
        if (v.type() != FileType.DIRECTORY) {
            throw new Refused(fid + " is not a directory here");
        }
        return v;
    }

    /** The directory, if {@code name} is free in it and {@code created} (if any) is not a vnode here already. */
    private static Vnode bindable(Volume volume, Fid dirFid, String name, Fid created) {
        Vnode dir = directory(volume, dirFid);
        if (dir.entry(name) != null) {
            throw new Refused("'" + name + "' already exists in " + dirFid + " here");
        }
        if (created != null && volume.vnode(created.vnode()) != null) {
            throw new Refused("vnode " + created.vnode() + " is another object here");
        }
        return dir;
    }

    private static Vnode boundTo(Volume volume, Vnode dir, String name, Fid expected) {
        DirectoryEntry entry = dir.entry(name);
        if (entry == null || entry.vnode() != expected.vnode() || entry.unique() != expected.unique()) {
            throw new Refused("'" + name + "' in " + volume.fid(dir) + " is not " + expected + " here");
        }
        Vnode v = volume.vnode(entry);
        if (v == null) {
            throw new Refused(expected + " is not known here");
        }
        return v;
    }
}
